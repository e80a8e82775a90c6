# pystone — a pystone-like benchmark (make bench): what Dhrystone/pystone
# exercise, in plain Python that pxOS's Python guests, MicroPython's unix port
# and CPython all run: records (class instances) and their attributes, method
# and function calls, integer arithmetic, string comparison and character
# tests, list indexing, a dict; argv[1] loops (default 100000). Prints a
# checksum of the final state, the same in every interpreter.
import sys

IDENT = ("ident1", "ident2", "ident3", "ident4", "ident5")


class Record:
    def __init__(self, ptr=None, discr=0, enum=0, num=0, text=""):
        self.ptr = ptr
        self.discr = discr
        self.enum = enum
        self.num = num
        self.text = text

    def copy(self):
        return Record(self.ptr, self.discr, self.enum, self.num, self.text)


def func1(c1, c2):
    return 0 if c1 != c2 else 1


def func2(s1, s2):
    i = 1
    while i <= 1:
        if func1(s1[i], s2[i + 1]) == 0:
            ch = "A"
            i += 1
    if "W" <= ch <= "Z":
        i = 7
    if ch == "X":
        return True
    if s1 > s2:
        return True
    return False


def proc7(a, b):
    return b + a + 2


def proc8(arr1, arr2, a, b, glob):
    loc = a + 5
    arr1[loc] = b
    arr1[loc + 1] = arr1[loc]
    arr1[loc + 30] = loc
    for i in range(loc, loc + 2):
        arr2[loc][i] = loc
    arr2[loc][loc - 1] += 1
    arr2[loc + 20][loc] = arr1[loc]
    return 5


def proc3(rec, glob):
    if rec.ptr is not None:
        rec.ptr = glob["ptr"].ptr
    glob["ptr"].num = proc7(10, glob["int"])
    return rec


def proc1(rec, glob):
    nxt = rec.ptr
    nxt.num = rec.num = 5
    nxt.ptr = rec.ptr
    proc3(nxt, glob)
    if nxt.discr == 0:
        nxt.num = 6
        nxt.enum = (rec.enum + 1) % 5
        nxt.num = proc7(nxt.num, 10)
    else:
        rec.num = nxt.num
    return rec


def main(loops):
    glob = {"int": 0, "ptr": Record(Record(), 0, 2, 40, "DHRYSTONE PROGRAM, SOME STRING")}
    arr1 = [0] * 51
    arr2 = [[0] * 51 for _ in range(51)]
    s1 = "DHRYSTONE PROGRAM, 1'ST STRING"
    checksum = 0
    for n in range(loops):
        a, b = 2, 3
        s2 = "DHRYSTONE PROGRAM, 2'ND STRING"
        bool_glob = not func2(s1, s2)
        while a < b:
            c = 5 * a - b
            c = proc7(a, b)
            a += 1
        proc8(arr1, arr2, a, c, glob)
        glob["ptr"] = proc1(glob["ptr"].copy(), glob)
        glob["int"] = (glob["int"] + c + n) % 65536
        for ch in "ABC":
            if ch == "C":
                checksum = (checksum * 31 + len(IDENT[n % 5]) + glob["ptr"].num + bool_glob) % 1000000007
    print("pystone: %d %d %d %d" % (checksum, glob["int"], arr1[8], arr2[8][7]))


main(int(sys.argv[1]) if len(sys.argv) > 1 else 100000)
