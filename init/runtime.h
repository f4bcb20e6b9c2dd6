/* The PID-1 runtime shared by every mode: signals in, children reaped,
 * and the one shutdown sequence (stop services, sweep what is left, end). */
#ifndef NSINIT_RUNTIME_H
#define NSINIT_RUNTIME_H
#include <stdbool.h>
#include <stdint.h>
#include <sys/types.h>

enum mode { MODE_CONTAINER, MODE_SUPERVISOR, MODE_BOOT };
enum ending { END_EXIT, END_POWEROFF, END_REBOOT, END_HALT };

struct config;
struct options;

struct runtime {
    enum mode mode;
    pid_t self;
    bool pid1;
    const struct options *opts; /* container mode, else NULL */
    pid_t cmd_pid;              /* container mode: the command, 0 once reaped */
    bool cmd_group;             /* -g: signal -cmd_pid */
    bool shutting_down;
    enum ending ending;
    int exit_status;
    bool sweep;                 /* TERM/KILL what is left before the end */
    uint32_t sweep_ms;          /* grace between the two */
    /* Boot mode: called once, when the config's services have started
     * (supervisor_changed), to start the kernel command line's command. */
    void (*services_started)(void);
    /* Boot mode on a machine: loads [init] modules and arms the watchdog,
     * at boot and at every reload (supervisor_reload), before services. */
    void (*machine_config)(const struct config *c);
};

extern struct runtime rt;

/* Sets up signals and the signalfd watch; call once before any fork. */
int runtime_init(enum mode mode);
/* Runs the loop forever; the end of the shutdown exits or reboots. */
void runtime_run(void) __attribute__((noreturn));
/* Starts the shutdown sequence (idempotent: a second call only upgrades
 * the ending, as a second Ctrl-Alt-Del would). */
void runtime_shutdown(enum ending how, int status);
/* Services run beside: the shutdown stops them before the sweep. */
void runtime_attach_supervisor(void);
/* Called by the supervisor when its last service has stopped. */
void runtime_services_stopped(void);

#endif
