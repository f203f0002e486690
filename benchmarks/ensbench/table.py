# -*- coding: utf-8 -*-
# Copyright: Contributors to the alibabacloud.ens collection
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)

"""Markdown tables for the report."""

from __future__ import annotations


def table(headers, rows):
    lines = ["| " + " | ".join(headers) + " |", "|" + "|".join("---" for _header in headers) + "|"]
    lines += ["| " + " | ".join(str(cell) for cell in row) + " |" for row in rows]
    return "\n".join(lines)


def by_action(counts):
    return ", ".join("%s %d" % (action, n) for action, n in sorted(counts["by_action"].items()))


class Blocks(list):
    """Lines of the report: each block (a heading, a paragraph, a table) followed by a blank line."""

    def __init__(self, *blocks):
        super().__init__()
        self.add(*blocks)

    def add(self, *blocks):
        for block in blocks:
            self.extend((block, ""))
