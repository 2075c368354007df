#!/usr/bin/env python3
"""Writes vestibular_export_rows.csv: laid out as vestibular test systems
export a recording: metadata lines first, then one row per signal (a label
with its unit, then the samples), ';' separators and decimal commas.  A
time row at 250 Hz, horizontal and vertical eye position (deg, a 2-Hz
nystagmus-like sawtooth and a small sine), head velocity (deg/s).
Deterministic."""
import math

n, fs = 200, 250.0
t = [i / fs for i in range(n)]
eye_h = [4.0 * ((2.0 * x) % 1.0) - 2.0 for x in t]          # slow drift, fast reset
eye_v = [0.5 * math.sin(2 * math.pi * 1.5 * x) for x in t]
head = [60.0 * math.sin(2 * math.pi * 1.0 * x) for x in t]


def row(label, values, fmt):
    return label + ";" + ";".join((fmt % v).replace(".", ",") for v in values)


lines = [
    "Patient;Doe^Jane",
    "Date of birth;01.02.1960",
    "Test;Spontaneous nystagmus, eyes open in darkness",
    "Recorded;12.03.2025 09:41:07",
    "Device;VNG goggles, right eye",
    "",
    row("Time [s]", t, "%.3f"),
    row("Eye horizontal [deg]", eye_h, "%.3f"),
    row("Eye vertical [deg]", eye_v, "%.3f"),
    row("Head velocity [deg/s]", head, "%.2f"),
]
open("vestibular_export_rows.csv", "w").write("\r\n".join(lines) + "\r\n")
