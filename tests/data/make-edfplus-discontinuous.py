#!/usr/bin/env python3
# Writes edfplus_discontinuous.edf: an EDF+D file with 3 one-second records at
# 0, 1 and 5 s (a 3-s gap), 4 samples of Fp1 per record (digital 1000·(r+1)+k
# over ±32768 → ±100 µV) and a "blink" annotation at 5.5 s lasting 0.25 s.
# Usage: make-edfplus-discontinuous.py OUTPUT.edf
# Copyright 2026 The Atomscope developers
# SPDX-License-Identifier: GPL-3.0-or-later
import struct,sys
def field(s,w): s=str(s); return s.ljust(w)[:w].encode()
ns=2; nrec=3; spr=[4,16]
h=b''.join([field('0',8),field('X X X X',80),field('Startdate 01-JAN-2020 X X X',80),field('01.01.20',8),field('10.00.00',8),field(256*(ns+1),8),field('EDF+D',44),field(nrec,8),field(1,8),field(ns,4)])
labels=['Fp1','EDF Annotations']
h+=b''.join(field(l,16) for l in labels)
h+=b''.join(field('',80) for l in labels)
h+=field('uV',8)+field('',8)
h+=field(-100,8)+field(-1,8)
h+=field(100,8)+field(1,8)
h+=field(-32768,8)*2
h+=field(32767,8)*2
h+=b''.join(field('',80) for l in labels)
h+=b''.join(field(s,8) for s in spr)
h+=b''.join(field('',32) for l in labels)
data=b''
onsets=[0,1,5]   # a gap from 2 s to 5 s
for r,t in enumerate(onsets):
    data+=struct.pack('<4h',*[1000*(r+1)+k for k in range(4)])
    tal=('+%d\x14\x14\x00'%t).encode()
    if r==2: tal+=b'+5.5\x150.25\x14blink\x14\x00'
    data+=tal.ljust(32,b'\x00')
open(sys.argv[1],'wb').write(h+data)
