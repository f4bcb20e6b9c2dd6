#!/usr/bin/env python3
"""A terminal for the tests: runs CMD on a fresh pty and acts on it as a
user at the keyboard would, on commands read from the FIFO CTL.

    ptydrive.py MODE CTL -- CMD [ARG...]

MODE leader: the child leads the terminal's session and execs CMD (as a
container runtime starts a container's PID 1 on its tty).
MODE job: the child leads the session as a shell does: CMD runs in a
process group of its own as the terminal's foreground job, and the shell
takes the terminal back when CMD has ended.

CTL commands, one per line:
    key HEX       type these bytes (03 is ^C, 1c ^\\, 1a ^Z)
    winch         resize the terminal (SIGWINCH to its foreground group)
    hangup        close the terminal's master side (a hangup)
    killleader    SIGKILL the session's leader (the shell of MODE job)
The driver ends when CTL is closed and the child has ended; its status is
the child's."""
import fcntl
import os
import select
import signal
import struct
import sys
import termios


def job_leader(cmd):
    """The shell of MODE job: CMD in the foreground, then the terminal back."""
    signal.signal(signal.SIGTTOU, signal.SIG_IGN)
    pid = os.fork()
    if pid == 0:
        os.setpgid(0, 0)
        os.tcsetpgrp(0, os.getpid())
        signal.signal(signal.SIGTTOU, signal.SIG_DFL)
        os.execvp(cmd[0], cmd)
    try:
        os.setpgid(pid, pid)
        os.tcsetpgrp(0, pid)
    except OSError:
        pass  # the job got there first
    _, status = os.waitpid(pid, 0)
    os.tcsetpgrp(0, os.getpgrp())
    os._exit(os.waitstatus_to_exitcode(status) & 0xff)


def main():
    mode, ctl = sys.argv[1], sys.argv[2]
    cmd = sys.argv[4:] if sys.argv[3] == "--" else sys.argv[3:]
    master, slave = os.openpty()
    pid = os.fork()
    if pid == 0:
        os.close(master)
        os.setsid()
        fcntl.ioctl(slave, termios.TIOCSCTTY, 0)
        for fd in (0, 1, 2):
            os.dup2(slave, fd)
        if slave > 2:
            os.close(slave)
        if mode == "job":
            job_leader(cmd)
        os.execvp(cmd[0], cmd)
    os.close(slave)
    ctl_fd = os.open(ctl, os.O_RDONLY)
    pending = b""
    rows = 24
    while True:
        fds = [f for f in (ctl_fd, master) if f >= 0]
        if not fds:
            break
        ready, _, _ = select.select(fds, [], [])
        if master in ready:
            try:
                if not os.read(master, 4096):
                    raise OSError
            except OSError:  # the child side is gone: no more output
                os.close(master)
                master = -1
        if ctl_fd in ready:
            data = os.read(ctl_fd, 4096)
            if not data:
                os.close(ctl_fd)
                ctl_fd = -1
            pending += data
            while b"\n" in pending:
                line, pending = pending.split(b"\n", 1)
                words = line.decode().split()
                if not words:
                    continue
                if words[0] == "key" and master >= 0:
                    os.write(master, bytes.fromhex(words[1]))
                elif words[0] == "winch" and master >= 0:
                    rows += 1
                    fcntl.ioctl(master, termios.TIOCSWINSZ,
                                struct.pack("HHHH", rows, 80, 0, 0))
                elif words[0] == "hangup" and master >= 0:
                    os.close(master)
                    master = -1
                elif words[0] == "killleader":
                    os.kill(pid, signal.SIGKILL)
    _, status = os.waitpid(pid, 0)
    sys.exit(os.waitstatus_to_exitcode(status) & 0xff)


main()
