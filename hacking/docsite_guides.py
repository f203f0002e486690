#!/usr/bin/env python
"""Write the docs site's guides (docs/docsite/rst/*.rst) from the Markdown they come from.

The README and the guides under docs/ are Markdown (GitHub shows them); antsibull-docs takes extra docs
as reStructuredText only.  This converts the Markdown that those files use (headings, paragraphs,
nested lists, code blocks, tables, inline code, emphasis, links) with markdown-it-py, so the guides on
the docs site never drift from their source.  Relative links point to the file on GitHub.

Usage: hacking/docsite_guides.py [--check] [COLLECTION_ROOT]
  --check: write nothing; exit 1 naming each guide that differs from what would be written.
"""

import argparse
import os
import re
import sys

import yaml
from markdown_it import MarkdownIt
from markdown_it.tree import SyntaxTreeNode

LABEL_PREFIX = 'ansible_collections.alibabacloud.ens.docsite.'
HEADING_CHARS = {1: '=', 2: '-', 3: '~', 4: '^', 5: '"'}
CODE_LANGUAGES = {'sh': 'shell', 'bash': 'shell', 'shell': 'shell', 'console': 'console', 'yaml': 'yaml+jinja', 'yml': 'yaml+jinja',
                  'json': 'json', 'ini': 'ini', 'python': 'python', 'text': 'text', '': 'text'}

# Each guide: its rst file, label, title, the Markdown source and the top-level (##) sections taken from it
# (None: the whole file, its own title replaced).
GUIDES = [
    {'name': 'guide_using', 'title': 'Using the collection', 'source': 'README.md',
     'sections': ['Requirements', 'Installation', 'Use cases', 'Using it against the real cloud']},
    {'name': 'guide_awx', 'title': 'Running the collection from AWX / Automation Controller', 'source': 'docs/awx.md', 'sections': None},
    {'name': 'guide_bad_input', 'title': 'Bad input: what the user sees', 'source': 'docs/bad-input.md', 'sections': None},
]


def escape(text):
    """Escape reStructuredText inline markup characters in plain text."""
    return re.sub(r'([\\`*|_<>\[\]])', r'\\\1', text)


class Converter:
    def __init__(self, repo_url, source_path):
        self.repo_url = repo_url.rstrip('/')
        self.source_dir = os.path.dirname(source_path)

    def link_target(self, href):
        if re.match(r'^[a-z]+://', href) or href.startswith('mailto:'):
            return href
        if href.startswith('#'):
            return '%s/blob/main/%s%s' % (self.repo_url, self.source_file, href)
        path = os.path.normpath(os.path.join(self.source_dir, href))
        return '%s/blob/main/%s' % (self.repo_url, path)

    def inline(self, node):
        out = []
        for child in node.children:
            kind = child.type
            if kind == 'text':
                out.append(escape(child.content))
            elif kind == 'code_inline':
                content = child.content
                out.append('\\ ``%s``\\ ' % content if '``' not in content else escape(content))
            elif kind == 'strong':
                out.append('\\ **%s**\\ ' % self.inline(child))
            elif kind == 'em':
                out.append('\\ *%s*\\ ' % self.inline(child))
            elif kind == 'link':
                label = self.inline(child) or escape(child.attrs['href'])
                out.append('\\ `%s <%s>`__\\ ' % (label, self.link_target(child.attrs['href'])))
            elif kind in ('softbreak', 'hardbreak'):
                out.append(' ')
            elif kind in ('html_inline', 'image'):
                raise ValueError('%s: %s is not supported in guides' % (self.source_file, kind))
            else:
                out.append(self.inline(child))
        text = ''.join(out)
        # A markup escape next to a space or the line's edge is noise: drop it.
        text = re.sub(r'(^|(?<= ))\\ ', '', text)
        text = re.sub(r'\\ ($|(?= ))', '', text)
        text = re.sub(r'\\ (?=[.,;:)!?])', '', text)
        text = re.sub(r'(?<=[(])\\ ', '', text)
        return text

    def blocks(self, nodes, indent=''):
        lines = []
        for node in nodes:
            rendered = self.block(node, indent)
            if rendered:
                if lines:
                    lines.append('')
                lines.extend(rendered)
        return lines

    def block(self, node, indent):
        kind = node.type
        if kind == 'paragraph':
            return [indent + self.inline(node.children[0])]
        if kind == 'heading':
            level = int(node.tag[1:]) + self.heading_shift
            text = self.inline(node.children[0])
            return [indent + text, indent + HEADING_CHARS[level] * len(text)]
        if kind in ('fence', 'code_block'):
            language = CODE_LANGUAGES.get((node.info or '').strip().split(' ')[0] if kind == 'fence' else '', 'text')
            body = [indent + '  ' + line if line else '' for line in node.content.rstrip('\n').split('\n')]
            return [indent + '.. code-block:: %s' % language, ''] + body
        if kind in ('bullet_list', 'ordered_list'):
            lines = []
            for number, item in enumerate(node.children, start=int(node.attrs.get('start', 1))):
                marker = '* ' if kind == 'bullet_list' else '%d. ' % number
                body = self.blocks(item.children, indent + ' ' * len(marker))
                body[0] = indent + marker + body[0][len(indent) + len(marker):]
                lines.extend(body)
                if item is not node.children[-1] and len(item.children) > 1:
                    lines.append('')
            return lines
        if kind == 'table':
            rows = []
            for section in node.children:
                for row in section.children:
                    rows.append([self.inline(cell.children[0]) if cell.children else '' for cell in row.children])
            lines = [indent + '.. list-table::', indent + '  :header-rows: 1', '']
            for row in rows:
                for index, cell in enumerate(row):
                    lines.append(indent + ('  * - ' if index == 0 else '    - ') + cell)
            return lines
        if kind == 'blockquote':
            return self.blocks(node.children, indent + '  ')
        if kind == 'hr':
            return []
        raise ValueError('%s: %s is not supported in guides' % (self.source_file, kind))

    def convert(self, guide, markdown):
        self.source_file = guide['source']
        tree = SyntaxTreeNode(MarkdownIt('commonmark').enable('table').parse(markdown))
        nodes = list(tree.children)
        if guide['sections'] is None:
            # The whole file under the guide's title: drop its own level-1 heading.
            nodes = [n for n in nodes if not (n.type == 'heading' and n.tag == 'h1')]
            self.heading_shift = 0
        else:
            chosen, keep = [], False
            for n in nodes:
                if n.type == 'heading' and n.tag in ('h1', 'h2'):
                    keep = n.tag == 'h2' and self.inline(n.children[0]) in [escape(s) for s in guide['sections']]
                if keep:
                    chosen.append(n)
            found = [self.inline(n.children[0]) for n in chosen if n.type == 'heading' and n.tag == 'h2']
            missing = [s for s in guide['sections'] if escape(s) not in found]
            if missing:
                raise ValueError('%s has no section(s) %s' % (guide['source'], ', '.join(missing)))
            nodes = chosen
            self.heading_shift = 0
        title = escape(guide['title'])
        head = [
            '..',
            '  Generated by hacking/docsite_guides.py from %s: edit that file, then run `make docsite-guides`.' % guide['source'],
            '',
            '.. _%s%s:' % (LABEL_PREFIX, guide['name']),
            '',
            title,
            '=' * len(title),
            '',
        ]
        return '\n'.join(head + self.blocks(nodes)) + '\n'


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument('--check', action='store_true')
    parser.add_argument('root', nargs='?', default=os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
    args = parser.parse_args()
    with open(os.path.join(args.root, 'galaxy.yml')) as f:
        repo_url = yaml.safe_load(f)['repository']
    stale = []
    for guide in GUIDES:
        with open(os.path.join(args.root, guide['source']), encoding='utf-8') as f:
            rst = Converter(repo_url, guide['source']).convert(guide, f.read())
        path = os.path.join(args.root, 'docs', 'docsite', 'rst', guide['name'] + '.rst')
        current = open(path, encoding='utf-8').read() if os.path.exists(path) else None
        if current == rst:
            continue
        if args.check:
            stale.append('%s (from %s)' % (os.path.relpath(path, args.root), guide['source']))
        else:
            os.makedirs(os.path.dirname(path), exist_ok=True)
            with open(path, 'w', encoding='utf-8') as f:
                f.write(rst)
            print('wrote %s' % os.path.relpath(path, args.root))
    if stale:
        print('docsite guides out of date, run `make docsite-guides`: %s' % ', '.join(stale), file=sys.stderr)
        return 1
    return 0


if __name__ == '__main__':
    sys.exit(main())
