#!/usr/bin/env python3
"""Generate src/SwfServerless.Core/Model/SwfModel.g.cs from the SWF service model.

Usage (from the repository root, or anywhere):
    python3 tools/codegen/generate_model.py            # write the file
    python3 tools/codegen/generate_model.py --check    # exit 1 if the committed file is stale

Standard library only. The output is deterministic: shapes and operations are emitted in
sorted order, members in model order, so regenerating an unchanged model changes nothing.
"""

from __future__ import annotations

import argparse
import html
import json
import re
import sys
from pathlib import Path

REPO = Path(__file__).resolve().parents[2]
MODEL = REPO / "src/SwfServerless.Core/Model/service-2.json"
OUTPUT = REPO / "src/SwfServerless.Core/Model/SwfModel.g.cs"
NAMESPACE = "SwfServerless.Core.Model"

CSHARP_KEYWORDS = {
    "abstract", "as", "base", "bool", "break", "byte", "case", "catch", "char", "checked", "class",
    "const", "continue", "decimal", "default", "delegate", "do", "double", "else", "enum", "event",
    "explicit", "extern", "false", "finally", "fixed", "float", "for", "foreach", "goto", "if",
    "implicit", "in", "int", "interface", "internal", "is", "lock", "long", "namespace", "new", "null",
    "object", "operator", "out", "override", "params", "private", "protected", "public", "readonly",
    "ref", "return", "sbyte", "sealed", "short", "sizeof", "stackalloc", "static", "string", "struct",
    "switch", "this", "throw", "true", "try", "typeof", "uint", "ulong", "unchecked", "unsafe",
    "ushort", "using", "virtual", "void", "volatile", "while",
}

SCALAR_TYPES = {
    "string": "string",
    "integer": "int",
    "long": "long",
    "boolean": "bool",
    "double": "double",
    "float": "float",
    "timestamp": "DateTimeOffset",
    "blob": "byte[]",
}


class ModelError(Exception):
    pass


def pascal(name: str) -> str:
    return name[:1].upper() + name[1:]


def check_identifier(name: str, what: str) -> str:
    if not re.fullmatch(r"[A-Za-z_][A-Za-z0-9_]*", name) or name in CSHARP_KEYWORDS:
        raise ModelError(f"{what} {name!r} is not a usable C# identifier")
    return name


def enum_constant_name(value: str) -> str:
    """REGISTERED -> Registered, START_TO_CLOSE -> StartToClose, ScheduleActivityTask unchanged."""
    if "_" in value or value.isupper():
        parts = [p for p in re.split(r"[^A-Za-z0-9]+", value) if p]
        name = "".join(p[:1].upper() + p[1:].lower() for p in parts)
    else:
        name = pascal(re.sub(r"[^A-Za-z0-9_]", "_", value))
    if name[:1].isdigit():
        name = "_" + name
    return name


def first_sentence(doc: str | None) -> str:
    """First sentence of an HTML documentation string, as plain text safe for an XML doc comment."""
    if not doc:
        return ""
    text = re.sub(r"<[^>]+>", " ", doc)
    text = html.unescape(text)
    text = re.sub(r"\s+", " ", text).strip()
    match = re.search(r"(?<=[.!?])\s", text)
    if match:
        text = text[: match.start()]
    if len(text) > 200:
        text = text[:197].rstrip() + "..."
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def cs_string(value: str) -> str:
    return json.dumps(value, ensure_ascii=True)  # a JSON string literal is a valid C# literal here


class Generator:
    def __init__(self, model: dict):
        self.model = model
        self.shapes: dict = model["shapes"]
        self.operations: dict = model["operations"]
        self.structures = sorted(n for n, s in self.shapes.items() if s["type"] == "structure")
        self.enums = sorted(n for n, s in self.shapes.items() if s["type"] == "string" and "enum" in s)
        self.lists = sorted(n for n, s in self.shapes.items() if s["type"] == "list")
        self.faults = sorted(n for n in self.structures if self.shapes[n].get("exception"))
        self.lines: list[str] = []
        self._check_names()

    def _check_names(self) -> None:
        for name in self.structures + self.enums:
            check_identifier(name, "shape name")
        clash = set(self.structures) & set(self.enums)
        if clash:
            raise ModelError(f"enum shapes collide with structure shapes: {sorted(clash)}")
        reserved = {"SwfOperations", "SwfOperation", "SwfFaults", "SwfJsonContext", "EpochSecondsJsonConverter"}
        clash = (set(self.structures) | set(self.enums)) & reserved
        if clash:
            raise ModelError(f"shape names collide with generated helper types: {sorted(clash)}")
        unsupported = {s["type"] for s in self.shapes.values()} - set(SCALAR_TYPES) - {"structure", "list", "map"}
        if unsupported:
            raise ModelError(f"unsupported shape types: {sorted(unsupported)}")

    # ---- type mapping -------------------------------------------------------------------------

    def clr_type(self, shape_name: str) -> str:
        """The C# element type of a shape, without the trailing nullable marker."""
        shape = self.shapes[shape_name]
        kind = shape["type"]
        if kind == "structure":
            return shape_name
        if kind == "list":
            return f"List<{self.clr_type(shape['member']['shape'])}>"
        if kind == "map":
            key_type = self.shapes[shape["key"]["shape"]]["type"]
            if key_type != "string":
                raise ModelError(f"map {shape_name} has a non-string key")
            return f"Dictionary<string, {self.clr_type(shape['value']['shape'])}>"
        return SCALAR_TYPES[kind]

    def property_name(self, struct_name: str, member_name: str, member: dict) -> str:
        name = pascal(member_name)
        if name == struct_name:
            # C# forbids a member named like its enclosing type (DomainInfos.domainInfos): fall back to
            # the member's target shape name (DomainInfoList), which says the same thing.
            name = member["shape"] if member["shape"] != struct_name else name + "Value"
        return check_identifier(name, "property name")

    # ---- emitters -----------------------------------------------------------------------------

    def emit(self, line: str = "") -> None:
        self.lines.append(line)

    def doc(self, text: str, indent: str) -> None:
        if text:
            self.emit(f"{indent}/// <summary>{text}</summary>")

    def generate(self) -> str:
        meta = self.model["metadata"]
        self.emit("// <auto-generated>")
        self.emit("//   Generated by tools/codegen/generate_model.py from src/SwfServerless.Core/Model/service-2.json")
        self.emit(f"//   ({meta.get('serviceFullName')}, API version {meta.get('apiVersion')}). Do not edit by hand.")
        self.emit("//   To regenerate after changing the model: python3 tools/codegen/generate_model.py")
        self.emit("// </auto-generated>")
        self.emit("#nullable enable")
        self.emit()
        self.emit("using System.Text.Json.Serialization;")
        self.emit()
        self.emit(f"namespace {NAMESPACE};")
        self.emit()
        for name in self.structures:
            self.emit_structure(name)
        for name in self.enums:
            self.emit_enum(name)
        self.emit_operations()
        self.emit_faults()
        self.emit_context()
        while self.lines and not self.lines[-1]:
            self.lines.pop()
        return "\n".join(self.lines) + "\n"

    def emit_structure(self, name: str) -> None:
        shape = self.shapes[name]
        required = set(shape.get("required", []))
        summary = first_sentence(shape.get("documentation"))
        if shape.get("exception"):
            summary = (summary + " " if summary else "") + "(Modelled fault: the wire error type of this name.)"
        self.doc(summary, "")
        self.emit(f"public sealed partial class {name}")
        self.emit("{")
        seen: set[str] = set()
        first = True
        for member_name, member in shape["members"].items():
            prop = self.property_name(name, member_name, member)
            if prop in seen:
                raise ModelError(f"{name} has two members that map to property {prop}")
            seen.add(prop)
            target = self.shapes[member["shape"]]
            if not first:
                self.emit()
            first = False
            text = first_sentence(member.get("documentation"))
            if member_name in required:
                text = (text + " " if text else "") + "Required."
            if target["type"] == "string" and "enum" in target:
                text = (text + " " if text else "") + f"One of <see cref=\"global::{NAMESPACE}.{member['shape']}\"/>."
            self.doc(text, "    ")
            self.emit(f"    [JsonPropertyName({cs_string(member_name)})]")
            if target["type"] == "timestamp":
                self.emit("    [JsonConverter(typeof(EpochSecondsJsonConverter))]")
            self.emit(f"    public {self.clr_type(member['shape'])}? {prop} {{ get; set; }}")
        self.emit("}")
        self.emit()

    def emit_enum(self, name: str) -> None:
        shape = self.shapes[name]
        self.doc(first_sentence(shape.get("documentation")) or f"The values of the {name} enum shape.", "")
        self.emit(f"public static class {name}")
        self.emit("{")
        names: list[str] = []
        for value in shape["enum"]:
            const = enum_constant_name(value)
            if const in (name, "All") or const in names:
                const += "Value"
            if const in names:
                raise ModelError(f"enum {name} has two values that map to constant {const}")
            check_identifier(const, "enum constant")
            names.append(const)
            self.emit(f"    public const string {const} = {cs_string(value)};")
        self.emit()
        self.emit("    /// <summary>Every value, in model order.</summary>")
        self.emit(f"    public static readonly IReadOnlyList<string> All = [{', '.join(names)}];")
        self.emit("}")
        self.emit()

    def emit_operations(self) -> None:
        meta = self.model["metadata"]
        ops = sorted(self.operations)
        self.emit("/// <summary>The operations of the service, as the model declares them.</summary>")
        self.emit("public static partial class SwfOperations")
        self.emit("{")
        self.emit(f"    /// <summary>The prefix of the X-Amz-Target header: <c>{meta['targetPrefix']}.&lt;Operation&gt;</c>.</summary>")
        self.emit(f"    public const string TargetPrefix = {cs_string(meta['targetPrefix'])};")
        self.emit()
        self.emit(f"    public const string ApiVersion = {cs_string(meta['apiVersion'])};")
        self.emit()
        for op in ops:
            check_identifier(op, "operation name")
            if op in ("All", "TargetPrefix", "ApiVersion"):
                raise ModelError(f"operation name {op} collides with a member of SwfOperations")
            self.emit(f"    public const string {op} = {cs_string(op)};")
        self.emit()
        self.emit("    /// <summary>Every operation by name (ordinal, case-sensitive like the X-Amz-Target header).</summary>")
        self.emit("    public static readonly IReadOnlyDictionary<string, SwfOperation> All =")
        self.emit("        new Dictionary<string, SwfOperation>(StringComparer.Ordinal)")
        self.emit("        {")
        for op in ops:
            spec = self.operations[op]
            if "input" not in spec:
                raise ModelError(f"operation {op} has no input shape")
            inp = spec["input"]["shape"]
            out = spec.get("output", {}).get("shape")
            errors = ", ".join(cs_string(e["shape"]) for e in spec.get("errors", []))
            out_name = cs_string(out) if out else "null"
            out_type = f"typeof({out})" if out else "null"
            self.emit(f"            [{op}] = new({op}, {cs_string(inp)}, {out_name}, [{errors}], typeof({inp}), {out_type}),")
        self.emit("        }.AsReadOnly();")
        self.emit("}")
        self.emit()

    def emit_faults(self) -> None:
        self.emit("/// <summary>The modelled faults: each is a wire error type (<c>__type</c>) and a structure of the same name.</summary>")
        self.emit("public static partial class SwfFaults")
        self.emit("{")
        for fault in self.faults:
            self.emit(f"    public const string {fault} = {cs_string(fault)};")
        self.emit()
        self.emit(f"    public static readonly IReadOnlyList<string> All = [{', '.join(self.faults)}];")
        self.emit("}")
        self.emit()

    def emit_context(self) -> None:
        self.emit("/// <summary>")
        self.emit("/// Source-generated System.Text.Json metadata for every structure shape (and every list shape's")
        self.emit("/// <c>List&lt;T&gt;</c>). Null members are omitted when writing; unknown members are ignored when reading.")
        self.emit("/// </summary>")
        self.emit("[JsonSourceGenerationOptions(")
        self.emit("    DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull,")
        self.emit("    PropertyNamingPolicy = JsonKnownNamingPolicy.CamelCase,")
        self.emit("    UnmappedMemberHandling = JsonUnmappedMemberHandling.Skip)]")
        for name in self.structures:
            self.emit(f"[JsonSerializable(typeof({name}))]")
        list_types = sorted({self.clr_type(n) for n in self.lists})
        for clr in list_types:
            self.emit(f"[JsonSerializable(typeof({clr}))]")
        self.emit("public partial class SwfJsonContext : JsonSerializerContext;")


def main(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--model", type=Path, default=MODEL)
    parser.add_argument("--output", type=Path, default=OUTPUT)
    parser.add_argument("--check", action="store_true", help="fail if the output file is not up to date")
    args = parser.parse_args(argv)

    model = json.loads(args.model.read_text(encoding="utf-8"))
    try:
        text = Generator(model).generate()
    except ModelError as error:
        print(f"generate_model: {error}", file=sys.stderr)
        return 2

    if args.check:
        current = args.output.read_text(encoding="utf-8") if args.output.exists() else ""
        if current != text:
            print(f"{args.output} is stale: run python3 tools/codegen/generate_model.py", file=sys.stderr)
            return 1
        return 0
    args.output.write_text(text, encoding="utf-8", newline="\n")
    print(f"wrote {args.output.relative_to(REPO) if args.output.is_relative_to(REPO) else args.output}")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
