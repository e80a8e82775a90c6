# /apps/organism.py — seed 000's organisms in Python (docs/python.md):
# imperfect computing on a canvas, the Python twin of /apps/organism.
#
#   organism.py [FRAMES]      (default 600 frames, about 40 ms each)
#
# NORG organisms live on this process's 128x128 canvas. Every frame each one
# moves by Gaussian noise (pxos.sample_noise, standard deviation 2.5 pixels)
# and loses energy slowly; one out of energy is reborn somewhere random
# (pxos.sample_uniform). When two meet (closer than MEET pixels on both axes)
# they ask the oracle whether to cooperate: cooperating, both gain energy
# (green flash); competing, the stronger (energy plus noise) takes from the
# weaker (red flash). The oracle call blocks only this process: the others
# run meanwhile. When the oracle cannot answer (no bridge, a timeout) a coin
# flip decides instead, and the summary counts those apart.
# Frames are drawn on the back layer and shown at once (pxos.layer), paced
# by pxos.sleep_ms. At the end it prints a summary. Exit status 0.
import sys
import pxos

NORG = 8
MEET = 12
COOLDOWN = 40
FRAME_MS = 40
MARGIN = 3
ENERGY_MAX = 100
ENERGY_BORN = 50
FLASH = 6
BG = (8, 12, 32)
COLOURS = [(255, 96, 96), (96, 255, 96), (96, 160, 255), (255, 220, 64),
           (255, 128, 255), (64, 255, 255), (255, 160, 64), (220, 220, 220)]
GREEN, RED, WHITE = (0, 255, 0), (255, 0, 0), (255, 255, 255)


def clamp(v):
    return min(127.0 - MARGIN, max(float(MARGIN), v))


class Organism:
    def __init__(self, colour):
        self.colour = colour
        self.born()

    def born(self):
        self.x = pxos.sample_uniform(MARGIN, 127 - MARGIN)
        self.y = pxos.sample_uniform(MARGIN, 127 - MARGIN)
        self.energy = ENERGY_BORN
        self.cool = 0
        self.flash = None
        self.flash_left = 0

    def step(self):
        self.x = clamp(self.x + pxos.sample_noise(0.0, 2.5))
        self.y = clamp(self.y + pxos.sample_noise(0.0, 2.5))
        if self.cool:
            self.cool -= 1
        if self.flash_left:
            self.flash_left -= 1
        self.energy -= 0.25
        if self.energy <= 0:
            self.born()
            return True
        return False

    def draw(self):
        x, y = int(self.x), int(self.y)
        if self.flash_left:
            pxos.rect(x - 4, y - 4, 9, 9, self.flash)
        pxos.rect(x - 2, y - 2, 5, 5, self.colour)
        bar = int(self.energy * 7 / ENERGY_MAX)
        if bar > 0:
            pxos.rect(x - 3, y + 4, bar, 1, WHITE)


def decide(a, b, stats):
    """Ask the oracle whether a and b cooperate; a coin flip when it cannot say."""
    question = ("Two organisms meet: one has energy %d, the other %d. "
                "Should they cooperate?" % (a.energy, b.energy))
    try:
        return pxos.oracle(question)
    except OSError:
        stats["coin"] += 1
        return pxos.sample_uniform() < 0.5


def meet(a, b, stats):
    if decide(a, b, stats):
        stats["coop"] += 1
        a.energy = min(ENERGY_MAX, a.energy + 15)
        b.energy = min(ENERGY_MAX, b.energy + 15)
        a.flash = b.flash = GREEN
    else:
        stats["compete"] += 1
        if a.energy + pxos.sample_noise(0.0, 10.0) < b.energy:
            a, b = b, a
        take = min(20, b.energy)
        a.energy = min(ENERGY_MAX, a.energy + take)
        b.energy -= take
        a.flash = b.flash = RED
    a.flash_left = b.flash_left = FLASH
    a.cool = b.cool = COOLDOWN


def main():
    frames = int(sys.argv[1]) if len(sys.argv) > 1 else 600
    orgs = [Organism(COLOURS[i % len(COLOURS)]) for i in range(NORG)]
    stats = {"coop": 0, "compete": 0, "coin": 0, "reborn": 0}
    pxos.layer(1)
    for frame in range(frames):
        for o in orgs:
            if o.step():
                stats["reborn"] += 1
        for i in range(NORG):
            a = orgs[i]
            for j in range(i + 1, NORG):
                b = orgs[j]
                if (not a.cool and not b.cool and abs(a.x - b.x) < MEET
                        and abs(a.y - b.y) < MEET):
                    meet(a, b, stats)
        pxos.rect(0, 0, 128, 128, BG)
        for o in orgs:
            o.draw()
        pxos.text(2, 110, "c%d x%d" % (stats["coop"], stats["compete"]), (160, 160, 200))
        pxos.layer(1, True)
        pxos.sleep_ms(FRAME_MS)
    pxos.layer(0)
    meetings = stats["coop"] + stats["compete"]
    print("organism.py: %d frames, %d meetings: %d cooperated, %d competed (%d by coin flip), %d reborn"
          % (frames, meetings, stats["coop"], stats["compete"], stats["coin"], stats["reborn"]))


main()
