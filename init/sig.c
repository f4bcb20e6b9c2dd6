/* Signal set-up for PID 1. Raw rt_sigprocmask and rt_sigaction are used
 * because the C library hides its reserved real-time signals (32-34 in
 * musl) from sigset_t, and nsinit must block, forward and restore all 64. */
#include "sig.h"

#include <signal.h>
#include <sys/signalfd.h>
#include <string.h>
#include <sys/syscall.h>
#include <unistd.h>

/* The kernel's struct sigaction on x86_64, aarch64 and arm: handler first. */
struct ksigaction {
    void *handler;
    unsigned long flags;
    void *restorer;
    uint64_t mask;
};

static uint64_t orig_mask;
static int sigchld_was_ignored;

static int kmask(int how, const uint64_t *set, uint64_t *old)
{
    return (int)syscall(SYS_rt_sigprocmask, how, set, old, sizeof(uint64_t));
}

static int kaction(int sig, const struct ksigaction *act, struct ksigaction *old)
{
    return (int)syscall(SYS_rt_sigaction, sig, act, old, sizeof(uint64_t));
}

int sig_setup(void)
{
    uint64_t all = ~0ULL;
    struct ksigaction old, dfl;

    if (kmask(SIG_SETMASK, &all, &orig_mask) < 0)
        return -1;
    if (kaction(SIGCHLD, NULL, &old) == 0 && old.handler == (void *)SIG_IGN) {
        sigchld_was_ignored = 1;
        memset(&dfl, 0, sizeof(dfl));
        dfl.handler = (void *)SIG_DFL;
        kaction(SIGCHLD, &dfl, NULL);
    }
    return (int)syscall(SYS_signalfd4, -1, &all, sizeof(all), SFD_NONBLOCK | SFD_CLOEXEC);
}

void sig_block_all(void)
{
    uint64_t all = ~0ULL;

    kmask(SIG_SETMASK, &all, NULL);
}

void sig_restore_in_child(void)
{
    if (sigchld_was_ignored) {
        struct ksigaction ign;
        memset(&ign, 0, sizeof(ign));
        ign.handler = (void *)SIG_IGN;
        kaction(SIGCHLD, &ign, NULL);
    }
    kmask(SIG_SETMASK, &orig_mask, NULL);
}

void sig_reset_in_child(void)
{
    uint64_t none = 0;
    struct ksigaction dfl;

    memset(&dfl, 0, sizeof(dfl));
    dfl.handler = (void *)SIG_DFL;
    for (int sig = 1; sig <= 64; sig++)
        if (sig != SIGKILL && sig != SIGSTOP)
            kaction(sig, &dfl, NULL);
    kmask(SIG_SETMASK, &none, NULL);
}
