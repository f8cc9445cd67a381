// openloop: a fixed-rate HTTP/1.1 load generator for loopback measurements, free of coordinated omission.
//
// Each connection sends GETs on its own schedule (rate / connections per second, the connections' schedules spread
// evenly over one period). A request is due at its scheduled time; if the connection is still waiting for the
// previous response, the request goes out as soon as that response ends. Either way its latency is counted from the
// scheduled time to the end of its response, so a stall of the server (or of this client) shows in the figures as
// the clients behind it would see it, whatever the load generator did meanwhile. wrk instead runs as fast as the
// server answers and corrects its histogram afterwards; that makes two servers comparable only at their own rates.
//
//   openloop -p PORT -u /path [-H host] -c 64 -t 2 -r 30000 -d 10 -w 2
//
// Prints one JSON line: target and achieved rate, responses, errors, and p50/p90/p99/p99.9/max latency in ms.
// Bodies must be framed by Content-Length (a cached object's hit is, for every peer in ../shared/bench).
#define _GNU_SOURCE
#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <pthread.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/epoll.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#define FINE_US 200000            // 1 us buckets up to 200 ms
#define COARSE_MS 100000          // then 1 ms buckets up to 100 s
#define HEAD_MAX 16384

typedef struct {
    int fd;
    int64_t due;                  // scheduled time of the next request (ns, CLOCK_MONOTONIC)
    int64_t sent_for;             // scheduled time of the request in flight, or -1
    char head[HEAD_MAX];
    int head_len;
    int64_t body_left;            // -1 while reading the head
} conn;

typedef struct {
    int nconn;
    conn *c;
    int64_t period, measure_from, end;
    uint64_t *fine, *coarse;
    uint64_t done, errors, reconnects, late_sends;
    int64_t max_ns;
} worker;

static int g_port, g_conns = 64, g_threads = 2, g_duration = 10, g_warmup = 2;
static double g_rate = 10000;
static char g_req[2048];
static int g_req_len;

static int64_t now_ns(void) {
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (int64_t)ts.tv_sec * 1000000000 + ts.tv_nsec;
}

static int open_conn(void) {
    int fd = socket(AF_INET, SOCK_STREAM, 0);
    if (fd < 0) return -1;
    struct sockaddr_in a = {.sin_family = AF_INET, .sin_port = htons(g_port)};
    a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    if (connect(fd, (struct sockaddr *)&a, sizeof a) != 0) { close(fd); return -1; }
    int one = 1;
    setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
    // Non-blocking after the (loopback, immediate) connect.
    if (fcntl(fd, F_SETFL, fcntl(fd, F_GETFL) | O_NONBLOCK) != 0) { close(fd); return -1; }
    return fd;
}

static void record(worker *w, int64_t ns) {
    if (ns < 0) ns = 0;
    if (ns > w->max_ns) w->max_ns = ns;
    int64_t us = ns / 1000;
    if (us < FINE_US) w->fine[us]++;
    else { int64_t ms = us / 1000; w->coarse[ms < COARSE_MS ? ms : COARSE_MS - 1]++; }
}

// Counts an error and replaces the connection (closed, or in a state it cannot be read in); its request in flight, if
// any, is dropped. Returns -1 when no new connection could be made.
static int fail(worker *w, int ep, conn *k) {
    w->errors++;
    w->reconnects++;
    k->sent_for = -1;
    epoll_ctl(ep, EPOLL_CTL_DEL, k->fd, NULL);
    close(k->fd);
    k->fd = open_conn();
    if (k->fd < 0) return -1;
    struct epoll_event ev = {.events = EPOLLIN, .data.ptr = k};
    return epoll_ctl(ep, EPOLL_CTL_ADD, k->fd, &ev);
}

// Sends the connection's due request and moves its schedule on one period; the request's latency will count from the
// time it was due. Returns -1 when the connection failed and could not be replaced.
static int send_due(worker *w, int ep, conn *k) {
    int64_t scheduled = k->due;
    k->due += w->period;
    // A request this small goes out whole on a fresh or idle connection.
    if (send(k->fd, g_req, g_req_len, MSG_NOSIGNAL) != g_req_len) return fail(w, ep, k);
    k->sent_for = scheduled;
    k->head_len = 0;
    k->body_left = -1;
    return 0;
}

// Reads what is there; returns 1 when the response in flight ended, 0 when more is to come, -1 on error or close.
static int read_resp(worker *w, conn *k, char *buf, size_t cap) {
    for (;;) {
        ssize_t n = recv(k->fd, buf, cap, 0);
        if (n == 0) return -1;
        if (n < 0) return (errno == EAGAIN || errno == EWOULDBLOCK) ? 0 : -1;
        size_t off = 0;
        if (k->body_left < 0) {
            size_t take = (size_t)n;
            if (k->head_len + take > HEAD_MAX - 1) take = HEAD_MAX - 1 - k->head_len;
            memcpy(k->head + k->head_len, buf, take);
            int old = k->head_len;
            k->head_len += take;
            k->head[k->head_len] = 0;
            char *end = strstr(k->head, "\r\n\r\n");
            if (!end) { if (k->head_len >= HEAD_MAX - 1) return -1; continue; }
            size_t head_bytes = (size_t)(end + 4 - k->head);
            off = head_bytes - old;
            if (strncmp(k->head, "HTTP/1.1 200", 12) != 0) w->errors++;
            char *cl = strcasestr(k->head, "\r\ncontent-length:");
            if (!cl || cl > end) return -1;
            k->body_left = strtoll(cl + 17, NULL, 10);
        }
        int64_t rest = (int64_t)n - (int64_t)off;
        if (rest > k->body_left) return -1;   // no pipelining: nothing may follow the body
        k->body_left -= rest;
        if (k->body_left == 0) return 1;
    }
}

static void *run(void *arg) {
    worker *w = arg;
    int ep = epoll_create1(0);
    size_t cap = 256 * 1024;
    char *buf = malloc(cap);
    for (int i = 0; i < w->nconn; i++) {
        conn *k = &w->c[i];
        struct epoll_event ev = {.events = EPOLLIN, .data.ptr = k};
        epoll_ctl(ep, EPOLL_CTL_ADD, k->fd, &ev);
    }
    struct epoll_event evs[256];
    for (;;) {
        int64_t t = now_ns();
        if (t >= w->end) break;
        int64_t next = w->end;
        for (int i = 0; i < w->nconn; i++) {
            conn *k = &w->c[i];
            if (k->sent_for < 0 && k->due <= t) {
                if (t - k->due > 1000000) w->late_sends++;
                if (send_due(w, ep, k) != 0) goto out;
            }
            if (k->sent_for < 0 && k->due < next) next = k->due;
        }
        int64_t wait = next - now_ns();
        if (wait < 0) wait = 0;
        struct timespec ts = {.tv_sec = wait / 1000000000, .tv_nsec = wait % 1000000000};
        int n = epoll_pwait2(ep, evs, 256, &ts, NULL);
        for (int i = 0; i < n; i++) {
            conn *k = evs[i].data.ptr;
            int r = k->sent_for < 0 ? -1 : read_resp(w, k, buf, cap);   // bytes on an idle connection: it was closed
            if (r == 0) continue;
            if (r < 0) { if (fail(w, ep, k) != 0) goto out; continue; }
            int64_t done_at = now_ns();
            if (k->sent_for >= w->measure_from) { record(w, done_at - k->sent_for); w->done++; }
            k->sent_for = -1;
            // A request already due goes out now; its latency still counts from its scheduled time.
            if (k->due <= done_at && send_due(w, ep, k) != 0) goto out;
        }
    }
out:
    free(buf);
    close(ep);
    return NULL;
}

static double pct(uint64_t *fine, uint64_t *coarse, uint64_t total, double q) {
    uint64_t want = (uint64_t)(q * (double)total), seen = 0;
    if (want >= total) want = total - 1;
    for (int i = 0; i < FINE_US; i++) { seen += fine[i]; if (seen > want) return i / 1000.0; }
    for (int i = 0; i < COARSE_MS; i++) { seen += coarse[i]; if (seen > want) return (double)i; }
    return -1;
}

int main(int argc, char **argv) {
    const char *host = "bench.local", *path = "/";
    int o;
    while ((o = getopt(argc, argv, "p:u:H:c:t:r:d:w:")) != -1) {
        switch (o) {
            case 'p': g_port = atoi(optarg); break;
            case 'u': path = optarg; break;
            case 'H': host = optarg; break;
            case 'c': g_conns = atoi(optarg); break;
            case 't': g_threads = atoi(optarg); break;
            case 'r': g_rate = atof(optarg); break;
            case 'd': g_duration = atoi(optarg); break;
            case 'w': g_warmup = atoi(optarg); break;
            default: fprintf(stderr, "usage: openloop -p PORT -u PATH [-H host] [-c 64] [-t 2] [-r rate] [-d s] [-w s]\n"); return 2;
        }
    }
    if (g_port <= 0 || g_conns < g_threads || g_rate <= 0 || g_duration <= 0) { fprintf(stderr, "openloop: bad arguments\n"); return 2; }
    g_req_len = snprintf(g_req, sizeof g_req, "GET %s HTTP/1.1\r\nHost: %s\r\n\r\n", path, host);
    int64_t period = (int64_t)(1e9 * g_conns / g_rate);
    int64_t start = now_ns() + 50000000;
    worker *ws = calloc(g_threads, sizeof(worker));
    pthread_t *th = calloc(g_threads, sizeof(pthread_t));
    int idx = 0;
    for (int t = 0; t < g_threads; t++) {
        worker *w = &ws[t];
        w->nconn = g_conns / g_threads + (t < g_conns % g_threads);
        w->c = calloc(w->nconn, sizeof(conn));
        w->fine = calloc(FINE_US, sizeof(uint64_t));
        w->coarse = calloc(COARSE_MS, sizeof(uint64_t));
        w->period = period;
        w->measure_from = start + (int64_t)g_warmup * 1000000000;
        w->end = w->measure_from + (int64_t)g_duration * 1000000000;
        for (int i = 0; i < w->nconn; i++, idx++) {
            conn *k = &w->c[i];
            k->fd = open_conn();
            if (k->fd < 0) { fprintf(stderr, "openloop: cannot connect to 127.0.0.1:%d\n", g_port); return 1; }
            k->due = start + period * idx / g_conns;   // spread the connections over one period
            k->sent_for = -1;
        }
    }
    for (int t = 0; t < g_threads; t++) pthread_create(&th[t], NULL, run, &ws[t]);
    uint64_t *fine = calloc(FINE_US, sizeof(uint64_t)), *coarse = calloc(COARSE_MS, sizeof(uint64_t));
    uint64_t done = 0, errors = 0, reconnects = 0, late = 0;
    int64_t max_ns = 0;
    for (int t = 0; t < g_threads; t++) {
        pthread_join(th[t], NULL);
        worker *w = &ws[t];
        for (int i = 0; i < FINE_US; i++) fine[i] += w->fine[i];
        for (int i = 0; i < COARSE_MS; i++) coarse[i] += w->coarse[i];
        done += w->done; errors += w->errors; reconnects += w->reconnects; late += w->late_sends;
        if (w->max_ns > max_ns) max_ns = w->max_ns;
    }
    if (done == 0) { printf("{\"rate\": %.0f, \"done\": 0, \"errors\": %lu}\n", g_rate, errors); return 1; }
    printf("{\"rate\": %.0f, \"achieved\": %.0f, \"done\": %lu, \"errors\": %lu, \"reconnects\": %lu, \"late_sends\": %lu, "
           "\"p50_ms\": %.3f, \"p90_ms\": %.3f, \"p99_ms\": %.3f, \"p999_ms\": %.3f, \"max_ms\": %.3f}\n",
           g_rate, done / (double)g_duration, done, errors, reconnects, late,
           pct(fine, coarse, done, 0.50), pct(fine, coarse, done, 0.90), pct(fine, coarse, done, 0.99),
           pct(fine, coarse, done, 0.999), max_ns / 1e6);
    return errors ? 3 : 0;
}
