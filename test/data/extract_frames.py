#!/usr/bin/env python3
# SPDX-License-Identifier: BSL-1.0
"""Extracts the WebSocket text frames of the wire transcript into transcript_frames.txt.

Usage: extract_frames.py <transcript.txt> <out.txt>
Each output line is the direction (`C->S ` or `S->C `) and the frame payload as a JSON string.
The payload's UTF-8 length is checked against the `len=` field of the frame line.
"""
import json
import re
import sys

FRAME = re.compile(r'^\+\s*\S+ms conn#\d+ (C->S|S->C) WS .*\bop=text\b.*\blen=(\d+) hdr=[0-9a-f]+ (".*")$')


def main(src, dst):
    out = []
    with open(src, encoding='utf-8') as f:
        for line in f:
            m = FRAME.match(line.rstrip('\n'))
            if not m:
                continue
            payload = json.loads(m.group(3))
            if len(payload.encode('utf-8')) != int(m.group(2)):
                sys.exit('length mismatch: ' + line)
            out.append(m.group(1) + ' ' + json.dumps(payload, ensure_ascii=False))
    with open(dst, 'w', encoding='utf-8') as f:
        f.write('\n'.join(out) + '\n')
    print(len(out), 'frames')


if __name__ == '__main__':
    main(sys.argv[1], sys.argv[2])
