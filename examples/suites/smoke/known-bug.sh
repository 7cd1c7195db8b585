#!/bin/bash
count=41
echo "widget count: $count"
[ "$count" -eq 42 ] || { echo "expected 42 widgets, got $count" >&2; exit 1; }
