package dev.panllama.chat;

import com.hubspot.jinjava.Jinjava;
import com.hubspot.jinjava.JinjavaConfig;
import com.hubspot.jinjava.LegacyOverrides;
import com.hubspot.jinjava.el.JinjavaInterpreterResolver;
import com.hubspot.jinjava.interpret.Context;
import com.hubspot.jinjava.lib.fn.ELFunctionDefinition;
import com.hubspot.jinjava.loader.ResourceNotFoundException;
import java.util.Map;
import java.util.Set;
import jinjava.javax.el.CompositeELResolver;

/**
 * The Jinjava engine set up like transformers' jinja2 environment for chat templates: trim_blocks,
 * lstrip_blocks, Python-style values and methods, transformers' globals and filters, and render limits.
 */
final class JinjaEnvironment {

    private JinjaEnvironment() {}

    /** One engine per limit set; Jinjava renders concurrently on one instance. */
    static Jinjava create(RenderLimits limits) {
        LegacyOverrides python = LegacyOverrides.newBuilder()
                .withEvaluateMapKeys(true)               // {'a': x}: keys are expressions
                .withIterateOverMapKeys(true)            // for k in dict: keys
                .withUsePyishObjectMapper(true)
                .withUseNaturalOperatorPrecedence(true)
                .withKeepNullableLoopValues(true)
                .withParseWhitespaceControlStrictly(true) // {{ -1 }} is minus one, not a trim marker
                .build();
        CompositeELResolver resolver = new CompositeELResolver();
        resolver.add(new PythonMethodResolver());
        resolver.add(JinjavaInterpreterResolver.DEFAULT_RESOLVER_READ_ONLY);
        JinjavaConfig config = JinjavaConfig.newBuilder()
                // trim_blocks, lstrip_blocks and the -/+ markers are applied by WhitespaceControl beforehand
                .withLegacyOverrides(python)
                .withElResolver(resolver)
                .withExecutionMode(new PythonExecutionMode())
                .withNestedInterpretationEnabled(false)  // never render output text as a template
                .withEnableRecursiveMacroCalls(true)
                .withMaxMacroRecursionDepth(64)
                .withMaxRenderDepth(64)
                .withMaxOutputSize(limits.maxOutputChars())
                .withMaxStringLength(limits.maxOutputChars())
                .withMaxListSize(1 << 20)
                .withMaxMapSize(1 << 20)
                // No file or classpath access from a template: jinja2 under transformers has no loader either.
                .withDisabled(Map.of(Context.Library.TAG, Set.of("include", "import", "from", "extends")))
                .withNodePreProcessor((node, interpreter) -> RenderState.current().onNode())
                .build();
        Jinjava jinjava = new PythonJinjava(config);
        jinjava.setResourceLocator((name, encoding, interpreter) -> {
            throw new ResourceNotFoundException("chat templates cannot load other templates: " + name);
        });
        var globals = jinjava.getGlobalContext();
        globals.registerFunction(new ELFunctionDefinition("", "raise_exception", TemplateFunctions.class,
                "raiseException", Object.class));
        globals.registerFunction(new ELFunctionDefinition("", "strftime_now", TemplateFunctions.class,
                "strftimeNow", String.class));
        globals.registerFunction(new ELFunctionDefinition("", "py_defined", TemplateFunctions.class,
                "isDefined", String.class));
        globals.registerFunction(new ELFunctionDefinition("", "py_has", TemplateFunctions.class,
                "hasItem", Object.class, Object.class));
        globals.registerFilter(new ToJsonFilter());
        PythonStringFilters.all().forEach(globals::registerFilter);
        PythonCollectionFilters.all().forEach(globals::registerFilter);
        globals.registerTag(new PythonForTag());
        globals.registerTag(new GenerationTag());
        globals.registerTag(new FilterBlockTag());
        return jinjava;
    }
}
