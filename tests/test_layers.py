"""The package's layers import one way only, and no module imports itself back through a cycle."""

import ast
from pathlib import Path

import dprk_arms

PACKAGE = Path(dprk_arms.__file__).parent
# Lowest first. models are pure numpy and import nothing of ours: the lowest floor above the shared basics.
LAYERS = ["base", "models", "data", "simulation", "presentation", "briefs", "cli"]
BASE = {"__init__", "paths", "errors", "defaults", "files", "interrupts", "allocator"}
TOP = {"cli", "__main__"}


def _module_name(path):
    parts = list(path.relative_to(PACKAGE).with_suffix("").parts)
    if parts[-1] == "__init__" and len(parts) > 1:
        parts.pop()
    return ".".join(parts)


def _layer(module):
    head = module.split(".")[0]
    if head in BASE:
        return "base"
    if head in TOP:
        return "cli"
    return head


def _imports(path):
    """Every dprk_arms module the file imports, at the top or inside a function (lazy imports count too)."""
    module = _module_name(path)
    package = module.split(".") if path.name == "__init__.py" else module.split(".")[:-1]
    found = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.ImportFrom):
            if node.level:
                base = package[:len(package) - node.level + 1] if node.level > 1 else package
                target = ".".join(base + ([node.module] if node.module else []))
            elif (node.module or "").startswith("dprk_arms"):
                target = node.module[len("dprk_arms."):] if node.module != "dprk_arms" else ""
            else:
                continue
            for alias in node.names:  # `from . import x` may name a module
                candidate = f"{target}.{alias.name}" if target else alias.name
                found.add(candidate if _exists(candidate) else target)
        elif isinstance(node, ast.Import):
            found.update(a.name[len("dprk_arms."):] for a in node.names if a.name.startswith("dprk_arms."))
    return {m for m in found if m and m != module}


def _exists(module):
    path = PACKAGE.joinpath(*module.split("."))
    return path.with_suffix(".py").is_file() or (path / "__init__.py").is_file()


def _graph():
    return {_module_name(p): _imports(p) for p in PACKAGE.rglob("*.py") if "__pycache__" not in p.parts}


def test_every_module_belongs_to_a_known_layer():
    unknown = {m for m in _graph() if _layer(m) not in LAYERS}
    assert not unknown, f"modules outside the layers {LAYERS}: {sorted(unknown)}"


def test_no_module_imports_a_higher_layer():
    upward = [(m, t) for m, targets in _graph().items() for t in targets
              if LAYERS.index(_layer(t)) > LAYERS.index(_layer(m))]
    assert not upward, f"imports from a higher layer: {upward}"


def test_no_import_cycle():
    graph = _graph()
    state, stack = {}, []

    def visit(node):
        state[node] = "open"
        stack.append(node)
        for target in sorted(graph.get(node, ())):
            if target.startswith(node + "."):
                continue  # a package importing its own submodule is not a cycle
            if state.get(target) == "open":
                raise AssertionError("import cycle: " + " -> ".join(stack[stack.index(target):] + [target]))
            if target not in state:
                visit(target)
        stack.pop()
        state[node] = "done"

    for module in sorted(graph):
        if module not in state:
            visit(module)


def test_the_checker_sees_lazy_and_relative_imports():
    graph = _graph()
    assert "data.catalog" in graph["cli"]  # imported inside a function
    assert "models.evaluate" in graph["simulation.montecarlo"]
