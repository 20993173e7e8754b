#!/usr/bin/env python3
"""Circles between the modules of a crate: `.ci/module-circles.py crates/core/src ...`
prints each crate's circles (file-level modules that import each other, directly or
through others) and exits 1 if there is one. `--no-tests` leaves `#[cfg(test)]` modules out.

Edges: `use crate::a::b`, `crate::a::b::` paths in code, `super::x`, `self::x`, plain `x::`
for a child module declared in the file. Not edges: `mod x;` declarations, doc comments,
comments. With --no-tests, `#[cfg(test)]` modules are left out.
"""
import os, re, sys

def modules(src):
    mods = {}
    for root, _, files in os.walk(src):
        for f in files:
            if not f.endswith('.rs'):
                continue
            path = os.path.join(root, f)
            rel = os.path.relpath(path, src)[:-3].split(os.sep)
            if rel[-1] in ('lib', 'main'):
                rel = rel[:-1]
            elif rel[-1] == 'mod':
                rel = rel[:-1]
            mods[tuple(rel)] = path
    return mods

def strip(text, no_tests):
    text = re.sub(r'/\*.*?\*/', '', text, flags=re.S)
    lines = []
    for line in text.split('\n'):
        l = line.strip()
        if l.startswith('//'):
            continue
        line = re.sub(r'"(?:[^"\\]|\\.)*"', '""', line)
        line = re.sub(r'//.*', '', line)
        lines.append(line)
    text = '\n'.join(lines)
    if no_tests:
        # drop `#[cfg(test)] mod x { ... }` blocks by brace matching
        out, i = [], 0
        for m in re.finditer(r'#\[cfg\(test\)\]\s*(pub(\(crate\))?\s+)?mod\s+\w+\s*\{', text):
            if m.start() < i:
                continue
            out.append(text[i:m.start()])
            depth, j = 1, m.end()
            while j < len(text) and depth:
                depth += {'{': 1, '}': -1}.get(text[j], 0)
                j += 1
            i = j
        out.append(text[i:])
        text = ''.join(out)
    return text

def resolve(mods, path):
    """The longest module prefix of `path` that is a file."""
    for n in range(len(path), 0, -1):
        if tuple(path[:n]) in mods:
            return tuple(path[:n])
    return None

def edges(mods, no_tests):
    g = {m: set() for m in mods}
    for m, path in mods.items():
        text = strip(open(path).read(), no_tests)
        children = set(re.findall(r'^\s*(?:pub(?:\([^)]*\))?\s+)?mod\s+(\w+)\s*;', text, re.M))
        # expand `use crate::{a::X, b::{Y}}` groups roughly: take every `crate::path`
        # and every name directly inside `crate::{...}`
        refs = []
        for mm in re.finditer(r'\bcrate::\{([^;]*?)\};', text, re.S):
            for part in re.split(r'[,\s]+', mm.group(1)):
                if part:
                    refs.append(['crate'] + part.split('::'))
        for mm in re.finditer(r'\b(crate|super|self)((?:::\w+)+)', text):
            refs.append([mm.group(1)] + mm.group(2).split('::')[1:])
        for mm in re.finditer(r'\b(\w+)::', text):
            if mm.group(1) in children:
                refs.append(['self', mm.group(1)])
        for r in refs:
            base = list(m)
            head, rest = r[0], r[1:]
            if head == 'crate':
                target = rest
            elif head == 'super':
                target = base[:-1] + rest
                while target and target[0] == 'super':
                    target = target[1:]
            else:
                target = base + rest
            t = resolve(mods, target) if target else None
            # A module's own items, and what it takes from its ancestors (`super::`, the
            # crate root's re-exports), are not edges: a parent declares its children.
            if t is not None and m[:len(t)] != t:
                g[m].add(t)
    return g

def sccs(g):
    index, low, stack, on, out, counter = {}, {}, [], set(), [], [0]
    sys.setrecursionlimit(10000)
    def visit(v):
        index[v] = low[v] = counter[0]; counter[0] += 1
        stack.append(v); on.add(v)
        for w in g[v]:
            if w not in index:
                visit(w); low[v] = min(low[v], low[w])
            elif w in on:
                low[v] = min(low[v], index[w])
        if low[v] == index[v]:
            comp = []
            while True:
                w = stack.pop(); on.discard(w); comp.append(w)
                if w == v:
                    break
            if len(comp) > 1:
                out.append(comp)
    for v in g:
        if v not in index:
            visit(v)
    return out

name = lambda m: '::'.join(m) or 'lib'
found = 0
for src in sys.argv[1:]:
    if src == '--no-tests':
        continue
    mods = modules(src)
    for no_tests in ([True] if '--no-tests' in sys.argv else [False, True]):
        g = edges(mods, no_tests)
        comps = sccs(g)
        label = 'without tests' if no_tests else 'with tests'
        found += len(comps)
        print(f'{src} ({label}): {len(comps)} circle(s)')
        for c in comps:
            cs = set(c)
            print('  ', ', '.join(sorted(name(x) for x in c)))
            for v in sorted(c):
                print('      ', name(v), '->', ', '.join(sorted(name(w) for w in g[v] if w in cs)))
sys.exit(1 if found else 0)
