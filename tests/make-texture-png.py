#!/usr/bin/env python3
# Writes a 64 × 48 grey PNG of oriented stripes (period 6 px) on a brightness ramp, for the
# image tests of the command line.  Usage: make-texture-png.py OUT.png
import math
import struct
import sys
import zlib

w, h = 64, 48
raw = b''.join(b'\0' + bytes(max(0, min(255, int(40 + 2.5 * x + 30 * math.sin(2 * math.pi * (x + y) / 6))))
                             for x in range(w)) for y in range(h))


def chunk(t, b):
    return struct.pack('>I', len(b)) + t + b + struct.pack('>I', zlib.crc32(t + b))


open(sys.argv[1], 'wb').write(b'\x89PNG\r\n\x1a\n' + chunk(b'IHDR', struct.pack('>IIBBBBB', w, h, 8, 0, 0, 0, 0))
                              + chunk(b'IDAT', zlib.compress(raw)) + chunk(b'IEND', b''))
