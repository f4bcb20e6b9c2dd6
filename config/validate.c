/* Checks across sections, once every file is read: names that must exist
 * (after, join, net's bridge), one main service, exec present, and no
 * dependency cycle over after + join edges. Offenders are marked invalid. */
#include <string.h>

#include "fmt.h"
#include "internal.h"

#define WORDS ((MAX_SERVICES + 63) / 64)

struct graph {
    struct config *cfg;
    int sorted[MAX_SERVICES];           /* service indexes by name */
    uint64_t edge[MAX_SERVICES][WORDS]; /* edge[a] bit b: a waits for b */
    unsigned char color[MAX_SERVICES];  /* 0 new, 1 on the path, 2 done */
    int path[MAX_SERVICES];
    int depth;
};

static void validate_sort(struct graph *g)
{
    struct svc_conf **s = g->cfg->services;

    for (int i = 0; i < g->cfg->n_services; i++) {
        int j = i;

        for (; j > 0 && strcmp(s[g->sorted[j - 1]]->name, s[i]->name) > 0; j--)
            g->sorted[j] = g->sorted[j - 1];
        g->sorted[j] = i;
    }
}

/* Binary search: a service list can name thousands of services. */
static int validate_lookup(const struct graph *g, const char *name)
{
    int lo = 0, hi = g->cfg->n_services;

    while (lo < hi) {
        int mid = (lo + hi) / 2, c = strcmp(g->cfg->services[g->sorted[mid]]->name, name);

        if (c == 0)
            return g->sorted[mid];
        if (c < 0)
            lo = mid + 1;
        else
            hi = mid;
    }
    return -1;
}

static void validate_edge(struct graph *g, int from, int to)
{
    g->edge[from][to / 64] |= 1ULL << (to % 64);
}

static void validate_refs(struct load_state *st, struct graph *g, int i)
{
    struct svc_conf *s = st->cfg->services[i];
    int to;

    LIST_FOR(struct str_item, a, &s->after)
    {
        if ((to = validate_lookup(g, a->s)) < 0)
            config_report(st, s, a->it.file, a->it.line, "after: unknown service '%s'",
                          a->s);
        else
            validate_edge(g, i, to);
    }
    LIST_FOR(struct join_item, j, &s->joins)
    {
        if (j->ns_flag & s->ns_flags)
            config_report(st, s, j->it.file, j->it.line,
                          "join: '%s' is also in namespaces", j->kind);
        if (!j->service)
            continue;
        if ((to = validate_lookup(g, j->service)) < 0)
            config_report(st, s, j->it.file, j->it.line, "join: unknown service '%s'",
                          j->service);
        else
            validate_edge(g, i, to);
    }
    if (s->has_net && !config_find_bridge(st->cfg, s->net_bridge))
        config_report(st, s, s->file, st->net_line[i], "net: unknown bridge '%s'",
                      s->net_bridge);
}

/* One message per cycle: "dependency cycle: a -> b -> a", at a's section. */
static void validate_report_cycle(struct load_state *st, struct graph *g, int start)
{
    struct svc_conf **s = st->cfg->services;
    char msg[1024];
    const char *earlier, *cycle;
    size_t n = fmt(msg, sizeof(msg), "dependency cycle:");
    int k = g->depth - 1;

    while (g->path[k] != start)
        k--;
    for (int i = k; i < g->depth; i++)
        n += fmt(msg + n, sizeof(msg) - n, " %s ->", s[g->path[i]]->name);
    fmt(msg + n, sizeof(msg) - n, " %s", s[start]->name);
    /* Reported at start's section, and every member is broken by it: each
     * without an earlier problem gives this one as its reason. */
    earlier = s[start]->problem;
    s[start]->problem = NULL;
    config_report(st, s[start], s[start]->file, s[start]->line, "%s", msg);
    cycle = s[start]->problem;
    for (int i = k; i < g->depth; i++) {
        struct svc_conf *m = s[g->path[i]];
        m->invalid = true;
        if (!m->problem)
            m->problem = cycle;
    }
    if (earlier)
        s[start]->problem = earlier;
}

/* Depth first; an edge back to a service on the path closes a cycle.
 * Recursion is bounded by MAX_SERVICES. */
static void validate_visit(struct load_state *st, struct graph *g, int v)
{
    g->color[v] = 1;
    g->path[g->depth++] = v;
    for (int to = 0; to < st->cfg->n_services; to++) {
        if (!(g->edge[v][to / 64] & (1ULL << (to % 64))))
            continue;
        if (g->color[to] == 1)
            validate_report_cycle(st, g, to);
        else if (g->color[to] == 0)
            validate_visit(st, g, to);
    }
    g->depth--;
    g->color[v] = 2;
}

void config_validate(struct load_state *st)
{
    struct config *cfg = st->cfg;
    struct svc_conf *main_svc = NULL;
    struct graph g;

    memset(&g, 0, sizeof(g));
    g.cfg = cfg;
    validate_sort(&g);
    for (int i = 0; i < cfg->n_services; i++) {
        struct svc_conf *s = cfg->services[i];

        if (!s->argv && !st->exec_given[i])
            config_report(st, s, s->file, s->line, "service '%s' has no exec", s->name);
        if (s->is_main && main_svc)
            config_report(st, s, s->file, s->line,
                          "more than one main service ('%s' at %s:%d)", main_svc->name,
                          main_svc->file, main_svc->line);
        else if (s->is_main)
            main_svc = s;
        validate_refs(st, &g, i);
    }
    for (int i = 0; i < cfg->n_services; i++)
        if (!g.color[i])
            validate_visit(st, &g, i);
}
