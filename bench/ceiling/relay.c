/*
 * The ceiling for bench/run.sh: a crypto-free TCP relay. One thread, level-triggered epoll,
 * read()/write() through a 64 KiB buffer per direction, TCP_NODELAY on both legs, and
 * backpressure (a direction stops reading while its buffer is not yet written out).
 * It does what every relay must do and nothing else, so Gozar's results are ratios to it.
 *
 *   relay LISTEN_PORT TARGET_PORT      (both on 127.0.0.1)
 */
#define _GNU_SOURCE
#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/socket.h>
#include <unistd.h>

#define BUFFER_SIZE (64 * 1024)
#define MAX_EVENTS 256

struct pair;

/* One socket of a pair; side 0 is the client, side 1 the target. */
struct end {
    struct pair *pair;
    int side;
    int fd;
    unsigned mask;
};

/* Direction d carries bytes read from end[d] to end[1 - d]. */
struct pair {
    struct end end[2];
    char *buf[2];
    int len[2];
    int off[2];
    int eof[2];
    int connected;
};

static int epfd;
static struct sockaddr_in target;

static void set_mask(struct end *e, unsigned mask) {
    if (e->mask == mask) return;
    struct epoll_event ev = { .events = mask, .data.ptr = e };
    epoll_ctl(epfd, EPOLL_CTL_MOD, e->fd, &ev);
    e->mask = mask;
}

static void close_pair(struct pair *p) {
    for (int s = 0; s < 2; s++) {
        epoll_ctl(epfd, EPOLL_CTL_DEL, p->end[s].fd, NULL);
        close(p->end[s].fd);
        free(p->buf[s]);
    }
    free(p);
}

/* Recomputes what each end waits for: readable while its outgoing buffer is empty, writable while
 * its incoming buffer has bytes. The target is watched for writability until it has connected. */
static void update(struct pair *p) {
    for (int s = 0; s < 2; s++) {
        unsigned mask = 0;
        if (p->connected && !p->eof[s] && p->len[s] == 0) mask |= EPOLLIN;
        if (p->len[1 - s] > p->off[1 - s] || (s == 1 && !p->connected)) mask |= EPOLLOUT;
        set_mask(&p->end[s], mask);
    }
}

/* Writes what direction d holds; returns -1 when the pair must close. */
static int flush(struct pair *p, int d) {
    while (p->off[d] < p->len[d]) {
        ssize_t n = write(p->end[1 - d].fd, p->buf[d] + p->off[d], p->len[d] - p->off[d]);
        if (n < 0) return errno == EAGAIN ? 0 : -1;
        p->off[d] += (int)n;
    }
    p->len[d] = p->off[d] = 0;
    if (p->eof[d]) shutdown(p->end[1 - d].fd, SHUT_WR);
    return 0;
}

/* Reads once for direction d and writes it on; returns -1 when the pair must close. */
static int pump(struct pair *p, int d) {
    ssize_t n = read(p->end[d].fd, p->buf[d], BUFFER_SIZE);
    if (n < 0) return errno == EAGAIN ? 0 : -1;
    if (n == 0) {
        p->eof[d] = 1;
        shutdown(p->end[1 - d].fd, SHUT_WR);
        return 0;
    }
    p->len[d] = (int)n;
    p->off[d] = 0;
    return flush(p, d);
}

static void nodelay(int fd) {
    int one = 1;
    setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
}

static void accept_all(int listener) {
    for (;;) {
        int client = accept4(listener, NULL, NULL, SOCK_NONBLOCK | SOCK_CLOEXEC);
        if (client < 0) return;
        int up = socket(AF_INET, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
        if (up < 0 || (connect(up, (struct sockaddr *)&target, sizeof target) < 0 && errno != EINPROGRESS)) {
            close(client);
            if (up >= 0) close(up);
            continue;
        }
        nodelay(client);
        nodelay(up);
        struct pair *p = calloc(1, sizeof *p);
        int fds[2] = { client, up };
        for (int s = 0; s < 2; s++) {
            p->end[s] = (struct end){ .pair = p, .side = s, .fd = fds[s], .mask = 0 };
            p->buf[s] = malloc(BUFFER_SIZE);
            struct epoll_event ev = { .events = 0, .data.ptr = &p->end[s] };
            epoll_ctl(epfd, EPOLL_CTL_ADD, fds[s], &ev);
        }
        update(p);
    }
}

int main(int argc, char **argv) {
    if (argc != 3) {
        fprintf(stderr, "usage: relay LISTEN_PORT TARGET_PORT\n");
        return 2;
    }
    signal(SIGPIPE, SIG_IGN);
    target.sin_family = AF_INET;
    target.sin_port = htons((unsigned short)atoi(argv[2]));
    target.sin_addr.s_addr = htonl(INADDR_LOOPBACK);

    int listener = socket(AF_INET, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
    int one = 1;
    setsockopt(listener, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one);
    struct sockaddr_in local = { .sin_family = AF_INET, .sin_port = htons((unsigned short)atoi(argv[1])) };
    local.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    if (bind(listener, (struct sockaddr *)&local, sizeof local) < 0 || listen(listener, 4096) < 0) {
        perror("relay: listen");
        return 1;
    }

    epfd = epoll_create1(EPOLL_CLOEXEC);
    struct end listen_end = { .pair = NULL, .fd = listener };
    struct epoll_event lev = { .events = EPOLLIN, .data.ptr = &listen_end };
    epoll_ctl(epfd, EPOLL_CTL_ADD, listener, &lev);

    struct epoll_event events[MAX_EVENTS];
    for (;;) {
        int n = epoll_wait(epfd, events, MAX_EVENTS, -1);
        for (int i = 0; i < n; i++) {
            struct end *e = events[i].data.ptr;
            if (e == NULL) continue;
            if (e->pair == NULL) {
                accept_all(listener);
                continue;
            }
            struct pair *p = e->pair;
            int s = e->side, failed = 0;
            if (s == 1 && !p->connected) {
                int err = 0;
                socklen_t len = sizeof err;
                getsockopt(e->fd, SOL_SOCKET, SO_ERROR, &err, &len);
                if (err != 0) failed = 1;
                else p->connected = 1;
            }
            if (!failed && (events[i].events & EPOLLOUT) && p->len[1 - s] > p->off[1 - s]) failed = flush(p, 1 - s) < 0;
            if (!failed && (events[i].events & (EPOLLIN | EPOLLHUP | EPOLLERR)) && p->connected && p->len[s] == 0 && !p->eof[s])
                failed = pump(p, s) < 0;
            if (!failed && (events[i].events & EPOLLERR)) failed = 1;
            if (failed || (p->eof[0] && p->eof[1] && p->len[0] == 0 && p->len[1] == 0)) {
                /* Both stale events of this pair in the same batch would touch freed memory. */
                for (int j = i + 1; j < n; j++)
                    if (events[j].data.ptr == &p->end[0] || events[j].data.ptr == &p->end[1]) events[j].data.ptr = NULL;
                close_pair(p);
                continue;
            }
            update(p);
        }
    }
}
