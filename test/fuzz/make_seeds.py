#!/usr/bin/env python3
# SPDX-License-Identifier: BSL-1.0
"""Writes the seed corpora of server_session_fuzz, host_session_fuzz and ws_session_fuzz
(test/fuzz/corpus/{server_session,host_session,ws_session}/). Run from anywhere; it rewrites
only the seeds it names. See each target's comment for the input format."""
import os
import struct

here = os.path.dirname(os.path.abspath(__file__))


def write(corpus, name, data):
    d = os.path.join(here, "corpus", corpus)
    os.makedirs(d, exist_ok=True)
    with open(os.path.join(d, name), "wb") as f:
        f.write(data if isinstance(data, bytes) else data.encode())


# ---- server_session_fuzz: byte 0 picks coalesce_after_bytes (0, 1, 64, 1024, none), then
# frames from a client, one a line.
server = {
    "sync_commands_unlink": (0, [
        '@sync(node:"/a",lane:v)',
        '@command(node:"/a",lane:v)42',
        '@command(node:"/a",lane:v)43',
        '@command(node:"/a",lane:v){a:1,b:"two"}',
        '@unlink(node:"/a",lane:v)',
    ]),
    "link_params": (2, [
        '@link(node:"/a",lane:v,prio:0.5,rate:2)',
        '@link(node:"/b",lane:"x y",prio:1)',
        '@command(node:"/a",lane:v)@update(key:k)1',
        '@command(node:"/b",lane:"x y")[1,2,3]',
    ]),
    "coalescing": (1, [
        '@sync(node:"/u",lane:value)',
        '@command(node:"/u",lane:value)1',
        '@command(node:"/u",lane:value)2',
        '@command(node:"/u",lane:value)3',
        '@command(node:"/u",lane:value)44',
        '@command(node:"/u",lane:value)555',
        '@command(node:"/u",lane:value)6666',
        '@command(node:"/u",lane:value)7',
    ]),
    "auth": (3, ['@auth@payload{name:bob}', '@deauth', '@auth{token:"t"}']),
    "ignored_and_bad": (0, [
        '@event(node:"/a",lane:v)1',
        '@linked(node:"/a",lane:v)',
        '@command(node:"/a",lane:v)@@@',
        '@bogus(node:"/a",lane:v)',
        'not an envelope',
        '@command(node:"/a",lane:v)1e999',
        '@sync(node:"/a",lane:"v#map")',
        '@command(node:"/a",lane:"v#map")1',
    ]),
    "escaped_uris": (4, [
        '@sync(node:"/a\\"b",lane:"\\u00e9")',
        '@command(node:"/a\\"b",lane:"\\u00e9")"x"',
        '@command(node:/plain,lane:lane)true',
    ]),
}
for name, (b0, lines) in server.items():
    write("server_session", name, bytes([b0]) + "\n".join(lines).encode())
# Every seed of the envelope reader as one frame.
env_dir = os.path.join(here, "corpus", "envelope")
for name in sorted(os.listdir(env_dir)):
    with open(os.path.join(env_dir, name), "rb") as f:
        write("server_session", "envelope_" + name, bytes([2]) + f.read())

# ---- host_session_fuzz: lines; '!' + op + slot byte + Recon argument is a local action.
# Slots: 0 /a v value, 1 /a v value (early events, relinks), 2 /a m map, 3 /a m map (early,
# relinks, not kept linked), 4 /b m map (link only, relinks), 5 /a e event, 6 /b v value.
host = {
    "value_sync": [
        '@linked(node:"/a",lane:v)',
        '@event(node:"/a",lane:v)1',
        '@synced(node:"/a",lane:v)',
        '@event(node:"/a",lane:v)2',
        '@event(node:"/a",lane:v){x:1}',
    ],
    "map_sync_and_ops": [
        '@linked(node:"/a",lane:m)',
        '@event(node:"/a",lane:m)@update(key:x)1',
        '@event(node:"/a",lane:m)@update(key:y)2',
        '@event(node:"/a",lane:m)@update(key:z)3',
        '@synced(node:"/a",lane:m)',
        '@event(node:"/a",lane:m)@remove(key:x)',
        '@event(node:"/a",lane:m)@take(1)',
        '@event(node:"/a",lane:m)@drop(1)',
        '@event(node:"/a",lane:m)@clear',
    ],
    "event_and_unlinked": [
        '@linked(node:"/a",lane:e)',
        '@event(node:"/a",lane:e)hello',
        '@event(node:"/a",lane:e)@hello{}',
        '@unlinked(node:"/a",lane:e)@laneNotFound',
    ],
    "relink": [
        '@linked(node:"/a",lane:v)',
        '@unlinked(node:"/a",lane:v)@nodeNotFound',
        '@linked(node:"/a",lane:v)',
        '@synced(node:"/a",lane:v)',
        '@linked(node:"/b",lane:m)',
        '@unlinked(node:"/b",lane:m)"gone"',
        '@linked(node:"/b",lane:m)',
    ],
    "local_writes_offline": [
        '!s\x005',
        '!u\x02k',
        '!c',
        '!s\x0042',
        '!k\x05{x:1}',
        '!c',
        '@linked(node:"/a",lane:v)',
        '@synced(node:"/a",lane:v)',
        '!o\x00',
        '!a{token:t}',
        '@authed@session{id:1}',
        '@deauthed',
        '!z\x02',
        '!x\x03',
        '!t\x03',
        '!d\x04',
    ],
    "resync_after_reconnect": [
        '@linked(node:"/a",lane:m)',
        '@event(node:"/a",lane:m)@update(key:a)1',
        '@event(node:"/a",lane:m)@update(key:b)2',
        '@synced(node:"/a",lane:m)',
        '!c',
        '!c',
        '@linked(node:"/a",lane:m)',
        '@event(node:"/a",lane:m)@update(key:b)3',
        '@event(node:"/a",lane:m)@update(key:c)4',
        '@synced(node:"/a",lane:m)',
    ],
    "bad_frames": [
        '@event(node:"/a",lane:m)notamapevent',
        '@event(node:"/a",lane:v)@@',
        '@linked(node:"/zz",lane:q)',
        ' garbage',
        '@event(node:"/a",lane:v)1e999',
        '@command(node:"/a",lane:v)1',
        '@link(node:"/a",lane:v)',
    ],
}
for name, lines in host.items():
    write("host_session", name, "\n".join(lines))

# ---- ws_session_fuzz: byte 0 picks the role (high bit: server) and the message limit (0, 1,
# 16, 125, 126, 200, 65535, 65536, 1 MiB), byte 1 the chunk size - 1 (low 6 bits) and how
# often control frames are taken (high 2 bits); then the bytes from the peer.


def frame(op, payload=b"", fin=True, mask=None, rsv=0):
    b0 = (0x80 if fin else 0) | rsv | op
    n = len(payload)
    m = 0x80 if mask is not None else 0
    if n < 126:
        head = bytes([b0, m | n])
    elif n <= 0xFFFF:
        head = bytes([b0, m | 126]) + struct.pack(">H", n)
    else:
        head = bytes([b0, m | 127]) + struct.pack(">Q", n)
    if mask is not None:
        head += mask
        payload = bytes(c ^ mask[i % 4] for i, c in enumerate(payload))
    return head + payload


ws = {
    "text": (8, 63, frame(1, b"@event(node:\"/a\",lane:v)1")),
    "text_bytewise": (8, 0, frame(1, b"hello") + frame(1, b"world")),
    "fragmented": (8, 2, frame(1, b"hel", fin=False) + frame(0, b"lo")),
    "fragmented_with_ping": (8, 3, frame(1, b"ab", fin=False) + frame(9) + frame(0, b"c", fin=False) + frame(0, b"d")),
    "controls": (3, 5, frame(9, b"p") + frame(10, b"hi") + frame(8, struct.pack(">H", 1000) + b"bye")),
    "close_empty": (3, 63, frame(8)),
    "len16": (5, 17, frame(2, bytes(range(200)))),
    "len64_too_big": (4, 63, bytes([0x82, 127]) + struct.pack(">Q", 70000)),
    "too_big_fragments": (2, 63, frame(1, b"0123456789", fin=False) + frame(0, b"0123456789")),
    "masked": (8, 63, frame(1, b"hi", mask=b"\x01\x02\x03\x04")),
    "reserved_bits": (8, 63, frame(1, b"hi", rsv=0x40)),
    "continuation_alone": (8, 63, frame(0, b"x")),
    "close_one_byte": (8, 63, frame(8, b"\x03")),
    "fragmented_control": (8, 63, frame(9, b"", fin=False)),
    "unknown_opcodes": (8, 63, frame(3) + frame(11)),
    "new_message_inside": (8, 63, frame(1, b"a", fin=False) + frame(1, b"b")),
    "control_too_long": (8, 63, frame(9, b"x" * 126)),
    "len_over_2_63": (8, 63, bytes([0x82, 127, 0x80, 0, 0, 0, 0, 0, 0, 1])),
}
K = b"\x11\x22\x33\x44"
ws.update({
    # The server's role (0x80): frames from a client, masked.
    "server_text": (0x88, 63, frame(1, b"@sync(node:\"/a\",lane:v)", mask=K)),
    "server_fragmented_utf8": (0x88, 2, frame(1, b"\xe2\x82", fin=False, mask=K) + frame(0, b"\xac", mask=K)),
    "server_ping_flood": (0x88, 0xC0 | 7, b"".join(frame(9, b"p%d" % i, mask=K) for i in range(50))),
    "server_unmasked": (0x88, 63, frame(1, b"hi")),
    "server_close": (0x88, 63, frame(8, struct.pack(">H", 1001) + b"bye", mask=K) + frame(1, b"after", mask=K)),
    "server_bad_close_code": (0x88, 63, frame(8, struct.pack(">H", 1005), mask=K)),
    "server_not_utf8": (0x88, 63, frame(1, b"\xff\xfe", mask=K)),
    "server_too_big": (0x82, 63, frame(1, b"x" * 40, mask=K)),
    "client_not_utf8_close_reason": (8, 63, frame(8, struct.pack(">H", 1000) + b"\xc3")),
})
for name, (b0, b1, data) in ws.items():
    write("ws_session", name, bytes([b0, b1]) + data)
