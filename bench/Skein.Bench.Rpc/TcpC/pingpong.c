/*
 * The transport's limit for Skein.Bench.Rpc's tcp-c target: a fixed-size request/response over TCP on loopback,
 * one connection per caller, TCP_NODELAY on both ends, nothing else.
 *
 *   pingpong server SIZE            listen on 127.0.0.1, port 0; print "ready 127.0.0.1:PORT" on stdout; on every
 *                                   connection read SIZE bytes and write them back, until the peer closes; exit when
 *                                   stdin closes (so a benchmark that dies leaves no server behind)
 *   pingpong client HOST:PORT SIZE SECONDS
 *                                   one connection, closed loop: write SIZE bytes, read SIZE bytes, check them, again;
 *                                   warm up for a second, then count round trips for SECONDS and print
 *                                   "round-trips N seconds S per-second R"
 *
 * Built by the benchmark with the system's C compiler when missing or older than this file.
 */
#define _GNU_SOURCE
#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#define MAX_SIZE 65536

static int size;

static void die(const char *what)
{
    fprintf(stderr, "pingpong: %s: %s\n", what, strerror(errno));
    exit(1);
}

static int parse_size(const char *text)
{
    int value = atoi(text);
    if (value < 1 || value > MAX_SIZE) {
        fprintf(stderr, "pingpong: size must be 1..%d, not '%s'\n", MAX_SIZE, text);
        exit(2);
    }
    return value;
}

/* Reads exactly n bytes; 0 when the peer closed before the first byte, -1 on error or a short message. */
static int read_full(int fd, char *buffer, int n)
{
    int done = 0;
    while (done < n) {
        ssize_t got = read(fd, buffer + done, (size_t)(n - done));
        if (got == 0) return done == 0 ? 0 : -1;
        if (got < 0) {
            if (errno == EINTR) continue;
            return -1;
        }
        done += (int)got;
    }
    return 1;
}

static int write_full(int fd, const char *buffer, int n)
{
    int done = 0;
    while (done < n) {
        ssize_t put = write(fd, buffer + done, (size_t)(n - done));
        if (put < 0) {
            if (errno == EINTR) continue;
            return -1;
        }
        done += (int)put;
    }
    return 0;
}

static void no_delay(int fd)
{
    int one = 1;
    if (setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one) != 0) die("TCP_NODELAY");
}

static void *serve_connection(void *argument)
{
    int fd = (int)(long)argument;
    char *buffer = malloc((size_t)size);
    if (buffer == NULL) die("malloc");
    no_delay(fd);
    while (read_full(fd, buffer, size) == 1 && write_full(fd, buffer, size) == 0) {
    }
    free(buffer);
    close(fd);
    return NULL;
}

static void *accept_loop(void *argument)
{
    int listener = (int)(long)argument;
    for (;;) {
        int fd = accept(listener, NULL, NULL);
        if (fd < 0) {
            if (errno == EINTR || errno == ECONNABORTED) continue;
            die("accept");
        }
        pthread_t thread;
        if (pthread_create(&thread, NULL, serve_connection, (void *)(long)fd) != 0) die("pthread_create");
        pthread_detach(thread);
    }
    return NULL;
}

static int server(void)
{
    int listener = socket(AF_INET, SOCK_STREAM, 0);
    if (listener < 0) die("socket");
    struct sockaddr_in address = {.sin_family = AF_INET, .sin_port = 0};
    address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    if (bind(listener, (struct sockaddr *)&address, sizeof address) != 0) die("bind");
    if (listen(listener, 128) != 0) die("listen");
    socklen_t length = sizeof address;
    if (getsockname(listener, (struct sockaddr *)&address, &length) != 0) die("getsockname");

    pthread_t thread;
    if (pthread_create(&thread, NULL, accept_loop, (void *)(long)listener) != 0) die("pthread_create");
    printf("ready 127.0.0.1:%d\n", ntohs(address.sin_port));
    fflush(stdout);

    /* Serve until stdin closes: the benchmark closes it to stop us, and so does its death. */
    char sink[256];
    for (;;) {
        ssize_t got = read(STDIN_FILENO, sink, sizeof sink);
        if (got == 0 || (got < 0 && errno != EINTR)) break;
    }
    return 0;
}

static double now_seconds(void)
{
    struct timespec now;
    clock_gettime(CLOCK_MONOTONIC, &now);
    return (double)now.tv_sec + (double)now.tv_nsec / 1e9;
}

static int client(const char *target, double seconds)
{
    char host[64];
    const char *colon = strrchr(target, ':');
    if (colon == NULL || colon - target >= (long)sizeof host) {
        fprintf(stderr, "pingpong: expected HOST:PORT, not '%s'\n", target);
        return 2;
    }
    memcpy(host, target, (size_t)(colon - target));
    host[colon - target] = '\0';
    struct sockaddr_in address = {.sin_family = AF_INET, .sin_port = htons((unsigned short)atoi(colon + 1))};
    if (inet_pton(AF_INET, host, &address.sin_addr) != 1) {
        fprintf(stderr, "pingpong: '%s' is not an IPv4 address\n", host);
        return 2;
    }
    int fd = socket(AF_INET, SOCK_STREAM, 0);
    if (fd < 0) die("socket");
    if (connect(fd, (struct sockaddr *)&address, sizeof address) != 0) die("connect");
    no_delay(fd);

    char *request = malloc((size_t)size), *reply = malloc((size_t)size);
    if (request == NULL || reply == NULL) die("malloc");
    long trips = 0;
    double start = now_seconds(), measured_from = start + 1.0, end = measured_from + seconds, now = start;
    int measuring = 0;
    while (now < end) {
        memset(request, 'a' + (int)(trips % 26), (size_t)size);
        if (write_full(fd, request, size) != 0 || read_full(fd, reply, size) != 1) die("round trip");
        if (memcmp(request, reply, (size_t)size) != 0) {
            fprintf(stderr, "pingpong: the reply differs from the request\n");
            return 1;
        }
        now = now_seconds();
        if (!measuring && now >= measured_from) {
            measuring = 1;
            trips = 0;
            start = now;
        } else {
            trips++;
        }
    }
    double elapsed = now - start;
    printf("round-trips %ld seconds %.3f per-second %.0f\n", trips, elapsed, trips / elapsed);
    close(fd);
    return 0;
}

int main(int argc, char **argv)
{
    signal(SIGPIPE, SIG_IGN);
    if (argc == 3 && strcmp(argv[1], "server") == 0) {
        size = parse_size(argv[2]);
        return server();
    }
    if (argc == 5 && strcmp(argv[1], "client") == 0) {
        size = parse_size(argv[3]);
        double seconds = atof(argv[4]);
        if (seconds <= 0) {
            fprintf(stderr, "pingpong: SECONDS must be positive\n");
            return 2;
        }
        return client(argv[2], seconds);
    }
    fprintf(stderr, "usage: pingpong server SIZE | pingpong client HOST:PORT SIZE SECONDS\n");
    return 2;
}
