#!/usr/bin/env python3
"""Writes eyelink_binocular_500Hz.asc: an ASC file laid out as edf2asc writes
it for an EyeLink 1000 Plus binocular recording at 500 Hz with the -res
option: the "**" preamble, set-up messages, a calibration and validation
report for both eyes (with its indented coefficient lines), then two
recording blocks separated by 400 ms: fixations, a saccade, a blink on both
eyes (samples "." with pupil 0), the tracker's SFIX/EFIX, SSACC/ESACC,
SBLINK/EBLINK lines, trial messages, and the resolution columns (pixels per
degree).  Deterministic: no random numbers."""
import math

out = []
w = out.append
w("** CONVERTED FROM D:\\data\\s01.edf using edfapi 4.2.1 Apr  6 2021 on Mon Nov 30 10:12:44 2026")
w("** DATE: Mon Nov 30 10:05:31 2026")
w("** TYPE: EDF_FILE BINARY EVENT SAMPLE TAGGED")
w("** VERSION: EYELINK II 1")
w("** SOURCE: EYELINK CL")
w("** EYELINK II CL v5.15 Jan 24 2018 (EyeLink Portable Duo)")
w("** CAMERA: EyeLink USBCAM Version 1.01")
w("** SERIAL NUMBER: CLU-DAB50")
w("** CAMERA_CONFIG: DAB50200.SCD")
w("** RECORDED BY SleepStudy")
w("** SREB2.2.299 WINDOWS 10.0.19041 ")
w("**")
w("")
w("MSG\t1990012 DISPLAY_COORDS 0 0 1919 1079")
w("MSG\t1990013 RETRACE_INTERVAL  16.666666667")
w("MSG\t1990013 ENVIRONMENT   OpenGL on Windows")
w("MSG\t1990020 !CAL ")
w(">>>>>>> CALIBRATION (HV9,P-CR) FOR LEFT: <<<<<<<<<")
w("MSG\t1990020 !CAL Calibration points:  ")
for p in [(-29.2, -44.0, 0, 0), (-29.5, -54.7, 0, -2614), (-29.0, -32.9, 0, 2614),
          (-44.4, -44.5, -3505, 0), (-13.6, -43.7, 3505, 0)]:
    w("MSG\t1990020 !CAL %6.1f, %6.1f   %6d, %6d " % p)
w("MSG\t1990020 !CAL eye check box: (L,R,T,B)")
w("\t  -51    -7   -63   -24")
w("MSG\t1990020 !CAL href cal range: (L,R,T,B)")
w("\t-5253  5253 -3970  3970")
w("MSG\t1990020 !CAL Cal coeff:(X=a+bx+cy+dxx+eyy,Y=f+gx+goaly+ixx+jyy)")
w("   5.7149e-05  0.11722  0.0029117 -0.00032218 -0.00020473 ")
w("   5.6478e-05  0.0015002  0.13184 -0.00012219 -0.00015934 ")
w("MSG\t1990020 !CAL Prenormalize: offx, offy = -29.169 -44.022 ")
w("MSG\t1990020 !CAL Gains: cx:128.155 lx:164.062 rx:130.474 ")
w("MSG\t1990020 !CAL Gains: cy:138.082 ty:163.064 by:128.707 ")
w("MSG\t1990020 !CAL Resolution (upd) at screen center: X=2.6, Y=2.4 ")
w("MSG\t1990020 !CAL Gain Change Proportion: X: 0.258 Y: 0.267 ")
w("MSG\t1990020 !CAL Gain Ratio (Gy/Gx) = 1.077 ")
w("MSG\t1990020 !CAL Quadrant center: -29.2 -44.0 ")
w("MSG\t1990020 !CAL Corner correction:")
w("   5.4046e-06, -1.8279e-06 ")
w("   -3.3393e-06, 9.7938e-06 ")
w("   2.2318e-06, -4.2316e-06 ")
w("   1.0167e-05, 1.1297e-05 ")
w("MSG\t1990020 !CAL Gaze Position Calibration")
w(">>>>>>> CALIBRATION (HV9,P-CR) FOR RIGHT: <<<<<<<<<")
w("MSG\t1990021 !CAL Cal coeff:(X=a+bx+cy+dxx+eyy,Y=f+gx+goaly+ixx+jyy)")
w("   4.1565e-05  0.12588  0.0027006 -2.0069e-05 -3.0342e-05 ")
w("   3.9012e-05  0.0035524  0.13088 -3.5164e-05 -3.0012e-05 ")
w("MSG\t1990021 !CAL Corner correction:")
w("   3.1046e-06, -2.8279e-06 ")
w("   -1.3393e-06, 8.7938e-06 ")
w("MSG\t1995340 !CAL VALIDATION HV9 L LEFT  GOOD ERROR 0.32 avg. 0.63 max  OFFSET 0.17 deg. -4.7,3.4 pix.")
w("MSG\t1995340 !CAL VALIDATION HV9 R RIGHT GOOD ERROR 0.41 avg. 0.80 max  OFFSET 0.22 deg. 5.1,-2.9 pix.")
w("MSG\t1995341 VALIDATE L POINT 0  LEFT  at 960,540  OFFSET 0.21 deg.  4.4,-6.7 pix.")
w("MSG\t1999980 RECCFG CR 500 2 1 LR")
w("MSG\t1999980 ELCLCFG BTABLER")
w("MSG\t1999980 GAZE_COORDS 0.00 0.00 1919.00 1079.00")
w("MSG\t1999980 THRESHOLDS L 100 255 R 101 255")


def block(t0, n, trial, fixes, sacc, blink):
    w("START\t%d \tLEFT\tRIGHT\tSAMPLES\tEVENTS" % t0)
    w("PRESCALER\t1")
    w("VPRESCALER\t1")
    w("PUPIL\tAREA")
    w("EVENTS\tGAZE\tLEFT\tRIGHT\tRES\tRATE\t 500.00\tTRACKING\tCR\tFILTER\t2")
    w("SAMPLES\tGAZE\tLEFT\tRIGHT\tRES\tRATE\t 500.00\tTRACKING\tCR\tFILTER\t2")
    w("MSG\t%d TRIALID %d" % (t0 + 2, trial))
    w("SFIX L   %d" % t0)
    w("SFIX R   %d" % t0)
    for i in range(n):
        t = t0 + 2 * i
        # gaze: fixation at (x0, 540), a 300-px saccade over 20 ms at sacc
        x = 760.0 + (0 if t < sacc else 300.0 if t >= sacc + 20 else 300.0 * (t - sacc) / 20)
        y = 540.0 + 4.0 * math.sin(2 * math.pi * 3 * (t - t0) / 1000)
        xr, yr = 37.60 + 0.0004 * (x - 960), 37.70 + 0.0003 * (y - 540)
        if t == sacc:
            w("EFIX L   %d\t%d\t%d\t  %.1f\t  %.1f\t   1403" % (t0, t - 2, t - 2 - t0 + 2, x, y))
            w("EFIX R   %d\t%d\t%d\t  %.1f\t  %.1f\t   1388" % (t0, t - 2, t - 2 - t0 + 2, x + 2, y - 1))
            w("SSACC L  %d" % t)
            w("SSACC R  %d" % t)
        if t == sacc + 20:
            w("ESACC L  %d\t%d\t%d\t  %.1f\t  540.0\t  %.1f\t  540.0\t   7.98\t    412" % (sacc, t - 2, 20, 760.0, 1060.0))
            w("ESACC R  %d\t%d\t%d\t  %.1f\t  539.0\t  %.1f\t  539.0\t   7.98\t    409" % (sacc, t - 2, 20, 762.0, 1062.0))
            w("SFIX L   %d" % t)
            w("SFIX R   %d" % t)
        if blink and t == blink:
            w("SBLINK L %d" % t)
            w("SBLINK R %d" % t)
        if blink and blink <= t < blink + 80:
            w("%d\t   .\t   .\t    0.0\t   .\t   .\t    0.0\t   %.2f\t   %.2f\t....." % (t, xr, yr))
        else:
            w("%d\t  %.1f\t  %.1f\t %.1f\t  %.1f\t  %.1f\t %.1f\t   %.2f\t   %.2f\t....."
              % (t, x, y, 1403.0 - 0.1 * (i % 7), x + 2, y - 1, 1388.0 + 0.1 * (i % 5), xr, yr))
        if blink and t == blink + 78:
            w("EBLINK L %d\t%d\t%d" % (blink, t, t - blink + 2))
            w("EBLINK R %d\t%d\t%d" % (blink, t, t - blink + 2))
    te = t0 + 2 * (n - 1)
    w("EFIX L   %d\t%d\t%d\t  1060.0\t  540.0\t   1403" % (sacc + 20, te, te - sacc - 18))
    w("EFIX R   %d\t%d\t%d\t  1062.0\t  539.0\t   1388" % (sacc + 20, te, te - sacc - 18))
    w("MSG\t%d TRIAL_END %d" % (te, trial))
    w("END\t%d \tSAMPLES\tEVENTS\tRES\t  37.62\t  37.71" % (te + 2))


block(2000000, 500, 1, None, 2000400, 2000700)
block(2001400, 300, 2, None, 2001600, None)
open("eyelink_binocular_500Hz.asc", "w").write("\n".join(out) + "\n")
