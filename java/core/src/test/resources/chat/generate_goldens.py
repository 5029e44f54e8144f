#!/usr/bin/env python3
"""Regenerates the chat-template goldens with Python's jinja2, set up as Hugging Face transformers
sets it up for apply_chat_template: ImmutableSandboxedEnvironment(trim_blocks=True, lstrip_blocks=True),
the loopcontrols and {% generation %} extensions, transformers' tojson filter, raise_exception and strftime_now (frozen here).

Usage (from the repository root):
  pip install jinja2==3.1.6 gguf
  python3 java/core/src/test/resources/chat/generate_goldens.py [../shared/chat-templates] [model.gguf]

Writes goldens/<template>.json, one per *.jinja of the template folder, constructs-golden.json (the small
templates of constructs.json, one construct each), and (when a GGUF is given)
smollm2.jinja + goldens/smollm2.json from its tokenizer.chat_template.
"""
import datetime
import hashlib
import json
import pathlib
import sys

import jinja2
import jinja2.ext
import jinja2.nodes
from jinja2.ext import loopcontrols
from jinja2.sandbox import ImmutableSandboxedEnvironment

HERE = pathlib.Path(__file__).resolve().parent
SPEC = json.loads((HERE / "conversations.json").read_text(encoding="utf-8"))
FROZEN_NOW = datetime.datetime.fromisoformat(SPEC["frozen_now"])


def raise_exception(message):
    raise jinja2.exceptions.TemplateError(message)


def tojson(x, ensure_ascii=False, indent=None, separators=None, sort_keys=False):
    # transformers' override: no HTML escaping, and the json.dumps options exposed.
    return json.dumps(x, ensure_ascii=ensure_ascii, indent=indent, separators=separators, sort_keys=sort_keys)


def strftime_now(fmt):
    return FROZEN_NOW.strftime(fmt)


class GenerationTag(jinja2.ext.Extension):
    """transformers' {% generation %}...{% endgeneration %} (marks assistant text for masks): renders its body."""
    tags = {"generation"}

    def parse(self, parser):
        lineno = next(parser.stream).lineno
        body = parser.parse_statements(("name:endgeneration",), drop_needle=True)
        return jinja2.nodes.CallBlock(self.call_method("_body"), [], [], body).set_lineno(lineno)

    def _body(self, caller):
        return caller()


def environment():
    env = ImmutableSandboxedEnvironment(trim_blocks=True, lstrip_blocks=True,
                                        extensions=[loopcontrols, GenerationTag])
    env.filters["tojson"] = tojson
    env.globals["raise_exception"] = raise_exception
    env.globals["strftime_now"] = strftime_now
    return env


def render_cases(source):
    env = environment()
    try:
        template = env.from_string(source)
    except Exception as e:  # a template jinja2 cannot compile: every case is an error
        template, compile_error = None, f"{type(e).__name__}: {e}"
    cases = []
    for conv in SPEC["conversations"]:
        for agp in (True, False):
            case = {"conversation": conv["name"], "add_generation_prompt": agp}
            if template is None:
                case["error"] = compile_error
            else:
                try:
                    case["output"] = template.render(
                        messages=conv["messages"], tools=None, documents=None,
                        add_generation_prompt=agp,
                        bos_token=SPEC["bos_token"], eos_token=SPEC["eos_token"])
                except Exception as e:
                    case["error"] = f"{type(e).__name__}: {e}"
            cases.append(case)
    return cases


def write_golden(name, source, out_dir):
    golden = {
        "template": name,
        "template_sha256": hashlib.sha256(source.encode("utf-8")).hexdigest(),
        "jinja2_version": jinja2.__version__,
        "cases": render_cases(source),
    }
    (out_dir / f"{name}.json").write_text(
        json.dumps(golden, ensure_ascii=False, indent=1) + "\n", encoding="utf-8")


def render_constructs(out_dir):
    """Small templates, one construct each, rendered with the same environment."""
    spec = json.loads((HERE / "constructs.json").read_text(encoding="utf-8"))
    env = environment()
    results = []
    for construct in spec["constructs"]:
        result = {"name": construct["name"]}
        try:
            variables = dict(spec["variables"], tools_none=None,
                             bos_token=SPEC["bos_token"], eos_token=SPEC["eos_token"])
            result["output"] = env.from_string(construct["template"]).render(**variables)
        except Exception as e:
            result["error"] = f"{type(e).__name__}: {e}"
        results.append(result)
    (out_dir / "constructs-golden.json").write_text(
        json.dumps({"jinja2_version": jinja2.__version__, "results": results}, ensure_ascii=False, indent=1) + "\n",
        encoding="utf-8")


def main():
    templates = pathlib.Path(sys.argv[1] if len(sys.argv) > 1 else HERE.parents[5] / "../shared/chat-templates")
    out_dir = HERE / "goldens"
    out_dir.mkdir(exist_ok=True)
    render_constructs(out_dir.parent)
    for path in sorted(templates.glob("*.jinja")):
        write_golden(path.stem, path.read_text(encoding="utf-8"), out_dir)
    if len(sys.argv) > 2:
        import gguf
        reader = gguf.GGUFReader(sys.argv[2])
        field = reader.fields["tokenizer.chat_template"]
        source = bytes(field.parts[field.data[0]]).decode("utf-8")
        (HERE / "smollm2.jinja").write_text(source, encoding="utf-8")
        write_golden("smollm2", source, out_dir)


if __name__ == "__main__":
    main()
