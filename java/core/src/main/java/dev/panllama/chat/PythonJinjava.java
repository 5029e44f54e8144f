package dev.panllama.chat;

import com.hubspot.jinjava.Jinjava;
import com.hubspot.jinjava.JinjavaConfig;
import jinjava.de.odysseus.el.ExpressionFactoryImpl;
import jinjava.de.odysseus.el.tree.TreeStore;
import jinjava.de.odysseus.el.tree.impl.Cache;
import jinjava.javax.el.ExpressionFactory;

/** Jinjava whose expressions use Python's operators ({@link PythonParser}) and conversions ({@link PythonTypeConverter}). */
final class PythonJinjava extends Jinjava {

    private final ExpressionFactory pythonExpressions;

    PythonJinjava(JinjavaConfig config) {
        super(config);
        this.pythonExpressions = new ExpressionFactoryImpl(
                new TreeStore(new PythonParser.SyntaxBuilder(), new Cache(1000)), new PythonTypeConverter());
    }

    @Override
    public ExpressionFactory getExpressionFactory() {
        return pythonExpressions;
    }
}
