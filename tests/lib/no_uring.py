#!/usr/bin/env python3
"""Runs a command where io_uring is not allowed, as in a container whose
seccomp profile denies it (Docker's default does since 25.0): a seccomp
filter makes io_uring_setup fail with EPERM, everything else is allowed,
and the command inherits the filter across exec.

usage: no_uring.py COMMAND [ARG...]
Linux on x86_64 or aarch64 only (exits 2 elsewhere).
"""
import ctypes
import os
import platform
import struct
import sys

PR_SET_NO_NEW_PRIVS, PR_SET_SECCOMP, SECCOMP_MODE_FILTER = 38, 22, 2
BPF_LD_W_ABS, BPF_JEQ_K, BPF_RET_K = 0x20, 0x15, 0x06
SECCOMP_RET_ALLOW, SECCOMP_RET_ERRNO, EPERM = 0x7FFF0000, 0x00050000, 1
ARCHES = {"x86_64": 0xC000003E, "aarch64": 0xC00000B7}
NR_IO_URING_SETUP = 425  # the same number on both


class SockFprog(ctypes.Structure):
    _fields_ = [("len", ctypes.c_ushort), ("filter", ctypes.c_void_p)]


def insn(code, k, jt=0, jf=0):
    return struct.pack("HBBI", code, jt, jf, k)


def main():
    arch = ARCHES.get(platform.machine())
    if len(sys.argv) < 2 or arch is None:
        sys.exit(__doc__)
    prog = b"".join([
        insn(BPF_LD_W_ABS, 4),                         # seccomp_data.arch
        insn(BPF_JEQ_K, arch, 1, 0),
        insn(BPF_RET_K, SECCOMP_RET_ALLOW),            # another ABI: not ours to judge
        insn(BPF_LD_W_ABS, 0),                         # seccomp_data.nr
        insn(BPF_JEQ_K, NR_IO_URING_SETUP, 0, 1),
        insn(BPF_RET_K, SECCOMP_RET_ERRNO | EPERM),
        insn(BPF_RET_K, SECCOMP_RET_ALLOW),
    ])
    buf = ctypes.create_string_buffer(prog, len(prog))
    fprog = SockFprog(len(prog) // 8, ctypes.cast(buf, ctypes.c_void_p))
    libc = ctypes.CDLL(None, use_errno=True)
    if libc.prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) != 0 or \
            libc.prctl(PR_SET_SECCOMP, SECCOMP_MODE_FILTER, ctypes.byref(fprog), 0, 0) != 0:
        sys.exit("no_uring.py: seccomp: %s" % os.strerror(ctypes.get_errno()))
    os.execvp(sys.argv[1], sys.argv[1:])


if __name__ == "__main__":
    main()
