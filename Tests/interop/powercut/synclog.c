/*
 * LD_PRELOAD shim for Tests/interop/test_power_cut.py: after each successful fsync/fdatasync of a regular
 * file, appends "<inode> <size> <path>\n" to the file named by $DRIFTLINE_SYNC_JOURNAL (the inode, because
 * a file is often synced under a temporary name and then renamed), so that the test can later
 * model a power cut: every file cut back to the size it had at its last successful sync (what a crash may
 * legally leave: data written but never synced is gone). Optionally fails every fsync after the first
 * $DRIFTLINE_FAIL_FSYNC_AFTER ones with EIO (a dying disk).
 */
#define _GNU_SOURCE
#include <dlfcn.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include <pthread.h>

static pthread_mutex_t journal_lock = PTHREAD_MUTEX_INITIALIZER;
static long syncs = 0;

static int fail_now(void) {
    const char *limit = getenv("DRIFTLINE_FAIL_FSYNC_AFTER");
    if (limit == NULL) return 0;
    pthread_mutex_lock(&journal_lock);
    long seen = ++syncs;
    pthread_mutex_unlock(&journal_lock);
    return seen > atol(limit);
}

static void record(int fd) {
    const char *journal = getenv("DRIFTLINE_SYNC_JOURNAL");
    struct stat info;
    if (journal == NULL || fstat(fd, &info) != 0 || !S_ISREG(info.st_mode)) return;
    char link[64], path[4096];
    snprintf(link, sizeof link, "/proc/self/fd/%d", fd);
    ssize_t n = readlink(link, path, sizeof path - 1);
    if (n <= 0) return;
    path[n] = 0;
    char line[4200];
    int length = snprintf(line, sizeof line, "%llu %lld %s\n", (unsigned long long)info.st_ino, (long long)info.st_size, path);
    pthread_mutex_lock(&journal_lock);
    int out = open(journal, O_WRONLY | O_APPEND | O_CREAT | O_CLOEXEC, 0600);
    if (out >= 0) {
        ssize_t ignored = write(out, line, (size_t)length);
        (void)ignored;
        close(out);
    }
    pthread_mutex_unlock(&journal_lock);
}

int fsync(int fd) {
    static int (*real)(int) = NULL;
    if (real == NULL) real = (int (*)(int))dlsym(RTLD_NEXT, "fsync");
    if (fail_now()) { errno = EIO; return -1; }
    int result = real(fd);
    if (result == 0) record(fd);
    return result;
}

int fdatasync(int fd) {
    static int (*real)(int) = NULL;
    if (real == NULL) real = (int (*)(int))dlsym(RTLD_NEXT, "fdatasync");
    if (fail_now()) { errno = EIO; return -1; }
    int result = real(fd);
    if (result == 0) record(fd);
    return result;
}
