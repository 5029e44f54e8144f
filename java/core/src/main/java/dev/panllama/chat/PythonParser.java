package dev.panllama.chat;

import com.hubspot.jinjava.el.ExtendedSyntaxBuilder;
import com.hubspot.jinjava.el.ext.AdditionOperator;
import com.hubspot.jinjava.el.ext.ExtendedParser;
import jinjava.de.odysseus.el.tree.impl.Builder;
import jinjava.de.odysseus.el.tree.impl.Parser;
import jinjava.de.odysseus.el.tree.impl.ast.AstBinary;
import jinjava.de.odysseus.el.tree.impl.ast.AstNode;

/** Jinjava's expression parser with Python's {@link PythonOperators} in place of Java EL's. */
final class PythonParser extends ExtendedParser {

    PythonParser(Builder context, String input) {
        super(context, input);
    }

    @Override
    protected AstBinary createAstBinary(AstNode left, AstNode right, AstBinary.Operator operator) {
        AstBinary.Operator python = operator instanceof AdditionOperator ? PythonOperators.ADD
                : operator == AstBinary.MUL ? PythonOperators.MUL
                : operator == AstBinary.EQ ? PythonOperators.EQ
                : operator == AstBinary.NE ? PythonOperators.NE
                : operator;
        return super.createAstBinary(left, right, python);
    }

    /** Builds expression trees with this parser. */
    static final class SyntaxBuilder extends ExtendedSyntaxBuilder {
        private static final long serialVersionUID = 1L;

        SyntaxBuilder() {
            super(Builder.Feature.METHOD_INVOCATIONS, Builder.Feature.VARARGS); // what Jinjava's profile enables
        }

        @Override
        protected Parser createParser(String expression) {
            return new PythonParser(this, expression);
        }
    }
}
