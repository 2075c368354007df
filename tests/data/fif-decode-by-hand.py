#!/usr/bin/env python3
"""Decodes a few numbers of a FIF raw file with nothing but struct, walking
the tag chain as the FIF format describes it (16-byte big-endian tag headers:
kind, type, size, next).  Its output is written as constants in
tests/test-fif.c, so that the reader is checked against an independent
decoding.

Usage: fif-decode-by-hand.py FILE CHANNEL_INDEX..."""
import struct
import sys

data = open(sys.argv[1], "rb").read()
wanted = [int(a) for a in sys.argv[2:]] or [0]
pos, stack, chs, nchan, sfreq, first, bufs = 0, [], [], None, None, None, []
while pos + 16 <= len(data):
    kind, typ, size, nxt = struct.unpack(">iiii", data[pos:pos + 16])
    body = data[pos + 16:pos + 16 + size]
    if kind == 104:
        stack.append(struct.unpack(">i", body)[0])
    elif kind == 105:
        stack.pop()
    elif stack and stack[-1] == 101 and kind == 200:
        nchan = struct.unpack(">i", body)[0]
    elif stack and stack[-1] == 101 and kind == 201:
        sfreq = struct.unpack(">f", body)[0]
    elif stack and stack[-1] == 101 and kind == 203:
        # scanNo logNo kind range cal coil_type loc[12] unit unit_mul name[16]
        f = struct.unpack(">iiiffi12fii16s", body)
        chs.append(dict(kind=f[2], range=f[3], cal=f[4], coil=f[5], unit=f[18],
                        name=f[20].split(b"\0")[0].decode()))
    elif stack and stack[-1] == 102 and kind == 208:
        first = struct.unpack(">i", body)[0]
    elif stack and stack[-1] == 102 and kind == 300:
        bufs.append((typ, body))
    if nxt == -1:
        break
    pos = pos + 16 + size if nxt == 0 else nxt
print("nchan", nchan, "sfreq", sfreq, "first_samp", first, "buffers", len(bufs))
fmt = {2: ">h", 3: ">i", 4: ">f", 5: ">d", 16: ">h"}
for c in wanted:
    ch = chs[c]
    typ, body = bufs[0]
    es = struct.calcsize(fmt[typ])
    first5 = [struct.unpack(fmt[typ], body[(s * nchan + c) * es:(s * nchan + c + 1) * es])[0]
              for s in range(5)]
    print(c, ch["name"], "kind", ch["kind"], "coil", ch["coil"], "unit", ch["unit"],
          "range %.9g cal %.9g" % (ch["range"], ch["cal"]),
          "stored", " ".join("%.9g" % v for v in first5),
          "SI", " ".join("%.9g" % (v * ch["range"] * ch["cal"]) for v in first5))
