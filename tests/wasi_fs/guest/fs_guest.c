// A wasi-libc program that exercises the WASI filesystem through ordinary POSIX calls, run by
// tests/wasi_fs/guest_test.cpp as
//   wasmgpu run --dir S::/sandbox --dir R::/ro:ro --dir O::/other fs_guest.wasm MODE
// MODE is "basic" (files and directories inside /sandbox), "escape" (every way out, refused) or
// "readonly" (/ro refuses every mutation). On the first failed check it prints the line, the
// call and errno, and exits 1; on success it prints "fs_guest MODE: N checks passed".
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include <wasi/api.h>

static int checks = 0;

// path_open as imported, (ptr, len) path included, bypassing wasi-libc's NUL-terminated wrapper.
__attribute__((__import_module__("wasi_snapshot_preview1"), __import_name__("path_open")))
int32_t raw_path_open(int32_t fd, int32_t dirflags, int32_t path, int32_t path_len,
                      int32_t oflags, int64_t rights_base, int64_t rights_inheriting,
                      int32_t fdflags, int32_t opened_fd);

#define CHECK(cond)                                                                  \
  do {                                                                               \
    if (!(cond)) {                                                                   \
      printf("fs_guest.c:%d: check failed: %s (errno %d: %s)\n", __LINE__, #cond,    \
             errno, strerror(errno));                                                \
      exit(1);                                                                       \
    }                                                                                \
    ++checks;                                                                        \
  } while (0)

// `call` must fail with errno `want` (so checks say which errno they expect).
#define CHECK_ERRNO(call, want)                                                      \
  do {                                                                               \
    errno = 0;                                                                       \
    long r_ = (long)(call);                                                          \
    if (r_ != -1 || errno != (want)) {                                               \
      printf("fs_guest.c:%d: %s returned %ld with errno %d (%s); expected -1 with "  \
             "errno %d (%s)\n",                                                      \
             __LINE__, #call, r_, errno, strerror(errno), (want), strerror(want));   \
      exit(1);                                                                       \
    }                                                                                \
    ++checks;                                                                        \
  } while (0)

// Raw preview1 call that must return WASI errno `want`.
#define CHECK_WASI(call, want)                                                       \
  do {                                                                               \
    __wasi_errno_t e_ = (call);                                                      \
    if (e_ != (want)) {                                                              \
      printf("fs_guest.c:%d: %s returned WASI errno %d; expected %d\n", __LINE__,    \
             #call, e_, (want));                                                     \
      exit(1);                                                                       \
    }                                                                                \
    ++checks;                                                                        \
  } while (0)

static void write_file(const char* path, const char* text) {
  int fd = open(path, O_WRONLY | O_CREAT | O_TRUNC, 0644);
  CHECK(fd >= 0);
  CHECK(write(fd, text, strlen(text)) == (ssize_t)strlen(text));
  CHECK(close(fd) == 0);
}

static void expect_file(const char* path, const char* text) {
  char buf[256] = {0};
  int fd = open(path, O_RDONLY);
  CHECK(fd >= 0);
  ssize_t n = read(fd, buf, sizeof buf - 1);
  CHECK(n == (ssize_t)strlen(text));
  CHECK(memcmp(buf, text, n) == 0);
  CHECK(close(fd) == 0);
}

static int dir_has(const char* dir, const char* name) {
  DIR* d = opendir(dir);
  CHECK(d != NULL);
  int found = 0;
  struct dirent* e;
  while ((e = readdir(d)) != NULL) {
    if (strcmp(e->d_name, name) == 0) found = 1;
  }
  CHECK(closedir(d) == 0);
  return found;
}

static __wasi_fd_t preopen_fd(const char* guest) {
  for (__wasi_fd_t fd = 3; fd < 64; ++fd) {
    __wasi_prestat_t ps;
    if (__wasi_fd_prestat_get(fd, &ps) != 0) continue;
    char name[64] = {0};
    if (ps.u.dir.pr_name_len >= sizeof name) continue;
    if (__wasi_fd_prestat_dir_name(fd, (uint8_t*)name, ps.u.dir.pr_name_len) != 0) continue;
    if (strcmp(name, guest) == 0) return fd;
  }
  printf("no preopen named %s\n", guest);
  exit(1);
}

static void basic(void) {
  // Create, write, read back.
  write_file("/sandbox/a.txt", "hello");
  expect_file("/sandbox/a.txt", "hello");

  // Seek, tell, pread, pwrite, truncate, append.
  int fd = open("/sandbox/a.txt", O_RDWR);
  CHECK(fd >= 0);
  CHECK(lseek(fd, 0, SEEK_END) == 5);
  CHECK(write(fd, " world", 6) == 6);
  CHECK(lseek(fd, 0, SEEK_CUR) == 11);
  char buf[32] = {0};
  CHECK(pread(fd, buf, 5, 6) == 5);
  CHECK(memcmp(buf, "world", 5) == 0);
  CHECK(pwrite(fd, "W", 1, 6) == 1);
  CHECK(lseek(fd, 0, SEEK_CUR) == 11);
  CHECK(lseek(fd, 1, SEEK_SET) == 1);
  CHECK(read(fd, buf, 4) == 4);
  CHECK(memcmp(buf, "ello", 4) == 0);
  CHECK(ftruncate(fd, 8) == 0);
  struct stat st;
  CHECK(fstat(fd, &st) == 0);
  CHECK(st.st_size == 8);
  CHECK(S_ISREG(st.st_mode));
  CHECK(close(fd) == 0);
  expect_file("/sandbox/a.txt", "hello Wo");
  fd = open("/sandbox/a.txt", O_WRONLY | O_APPEND);
  CHECK(fd >= 0);
  CHECK(write(fd, "!", 1) == 1);
  CHECK(close(fd) == 0);
  expect_file("/sandbox/a.txt", "hello Wo!");

  // stdio on top of it.
  FILE* f = fopen("/sandbox/b.txt", "w");
  CHECK(f != NULL);
  CHECK(fprintf(f, "n=%d\n", 42) == 5);
  CHECK(fclose(f) == 0);
  expect_file("/sandbox/b.txt", "n=42\n");
  CHECK_ERRNO(open("/sandbox/b.txt", O_WRONLY | O_CREAT | O_EXCL, 0644), EEXIST);
  CHECK_ERRNO(open("/sandbox/missing.txt", O_RDONLY), ENOENT);

  // Directories: mkdir, readdir, rename, unlink, rmdir.
  CHECK(mkdir("/sandbox/dir", 0755) == 0);
  CHECK_ERRNO(mkdir("/sandbox/dir", 0755), EEXIST);
  write_file("/sandbox/dir/inner.txt", "inner");
  CHECK(dir_has("/sandbox", "dir"));
  CHECK(dir_has("/sandbox", "a.txt"));
  CHECK(dir_has("/sandbox/dir", "inner.txt"));
  CHECK(rename("/sandbox/dir/inner.txt", "/sandbox/moved.txt") == 0);
  CHECK(!dir_has("/sandbox/dir", "inner.txt"));
  expect_file("/sandbox/moved.txt", "inner");
  CHECK(rename("/sandbox/dir", "/sandbox/dir2") == 0);
  CHECK(stat("/sandbox/dir2", &st) == 0 && S_ISDIR(st.st_mode));
  CHECK_ERRNO(rmdir("/sandbox/missing"), ENOENT);
  write_file("/sandbox/dir2/x", "x");
  CHECK_ERRNO(rmdir("/sandbox/dir2"), ENOTEMPTY);
  CHECK(unlink("/sandbox/dir2/x") == 0);
  CHECK_ERRNO(unlink("/sandbox/dir2/x"), ENOENT);
  CHECK(rmdir("/sandbox/dir2") == 0);
  CHECK(!dir_has("/sandbox", "dir2"));

  // Many entries: readdir across several fd_readdir calls.
  CHECK(mkdir("/sandbox/many", 0755) == 0);
  char path[64];
  for (int i = 0; i < 200; ++i) {
    snprintf(path, sizeof path, "/sandbox/many/file-with-a-long-name-%03d", i);
    write_file(path, "");
  }
  DIR* d = opendir("/sandbox/many");
  CHECK(d != NULL);
  int count = 0;
  struct dirent* e;
  while ((e = readdir(d)) != NULL) {
    if (e->d_name[0] != '.') ++count;
  }
  CHECK(closedir(d) == 0);
  CHECK(count == 200);

  // Symlinks inside, readlink, hard links, stat.
  CHECK(symlink("moved.txt", "/sandbox/link") == 0);
  expect_file("/sandbox/link", "inner");
  char target[64] = {0};
  CHECK(readlink("/sandbox/link", target, sizeof target) == 9);
  CHECK(strcmp(target, "moved.txt") == 0);
  CHECK(lstat("/sandbox/link", &st) == 0 && S_ISLNK(st.st_mode));
  CHECK(stat("/sandbox/link", &st) == 0 && S_ISREG(st.st_mode) && st.st_size == 5);
  CHECK(link("/sandbox/moved.txt", "/sandbox/hard.txt") == 0);
  CHECK(stat("/sandbox/moved.txt", &st) == 0 && st.st_nlink == 2);
  CHECK(unlink("/sandbox/link") == 0);
  CHECK(unlink("/sandbox/hard.txt") == 0);

  // Timestamps.
  struct timespec times[2] = {{1600000000, 0}, {1700000000, 250000000}};
  CHECK(utimensat(AT_FDCWD, "/sandbox/moved.txt", times, 0) == 0);
  CHECK(stat("/sandbox/moved.txt", &st) == 0);
  CHECK(st.st_mtim.tv_sec == 1700000000 && st.st_mtim.tv_nsec == 250000000);
  CHECK(st.st_atim.tv_sec == 1600000000);

  // Renumber (dup2 is not in wasi-libc; the raw call is).
  int fa = open("/sandbox/a.txt", O_RDONLY);
  int fb = open("/sandbox/b.txt", O_RDONLY);
  CHECK(fa >= 0 && fb >= 0);
  CHECK_WASI(__wasi_fd_renumber(fa, fb), __WASI_ERRNO_SUCCESS);
  CHECK(read(fb, buf, 5) == 5 && memcmp(buf, "hello", 5) == 0);
  CHECK_ERRNO(close(fa), EBADF);
  CHECK(close(fb) == 0);
}

static void escape(void) {
  // Through wasi-libc: it maps "/sandbox/..." to preopen fd + relative path; the runtime
  // refuses anything leaving the preopen with ENOTCAPABLE.
  CHECK_ERRNO(open("/sandbox/../outside/secret.txt", O_RDONLY), ENOTCAPABLE);
  CHECK_ERRNO(open("/sandbox/../outside/new.txt", O_WRONLY | O_CREAT, 0644), ENOTCAPABLE);
  CHECK_ERRNO(open("/sandbox/sub/../../outside/secret.txt", O_RDONLY), ENOTCAPABLE);
  CHECK_ERRNO(mkdir("/sandbox/../evil", 0755), ENOTCAPABLE);
  CHECK_ERRNO(unlink("/sandbox/../outside/secret.txt"), ENOTCAPABLE);
  CHECK_ERRNO(rmdir("/sandbox/../outside"), ENOTCAPABLE);
  CHECK_ERRNO(rename("/sandbox/inside.txt", "/sandbox/../outside/moved.txt"), ENOTCAPABLE);
  CHECK_ERRNO(rename("/sandbox/../outside/secret.txt", "/sandbox/stolen.txt"), ENOTCAPABLE);
  CHECK_ERRNO(link("/sandbox/../outside/secret.txt", "/sandbox/hl"), ENOTCAPABLE);
  struct stat st;
  CHECK_ERRNO(stat("/sandbox/../outside/secret.txt", &st), ENOTCAPABLE);
  // Symlinks the host left in the sandbox, pointing out.
  CHECK_ERRNO(open("/sandbox/abs_link/secret.txt", O_RDONLY), ENOTCAPABLE);
  CHECK_ERRNO(open("/sandbox/rel_link/secret.txt", O_RDONLY), ENOTCAPABLE);
  CHECK_ERRNO(open("/sandbox/rel_file_link", O_RDWR | O_TRUNC), ENOTCAPABLE);
  CHECK_ERRNO(open("/sandbox/dangling_link", O_WRONLY | O_CREAT, 0644), ENOTCAPABLE);
  CHECK_ERRNO(open("/sandbox/abs_link/created.txt", O_WRONLY | O_CREAT, 0644), ENOTCAPABLE);
  CHECK_ERRNO(mkdir("/sandbox/rel_link/d", 0755), ENOTCAPABLE);
  CHECK_ERRNO(stat("/sandbox/rel_link/", &st), ENOTCAPABLE);
  CHECK_ERRNO(rmdir("/sandbox/rel_link/"), ENOTCAPABLE);
  CHECK_ERRNO(opendir("/sandbox/abs_link") == NULL ? -1 : 0, ENOTCAPABLE);
  CHECK_ERRNO(open("/sandbox/loop_a", O_RDONLY), ELOOP);
  // Guest-made symlinks pointing out are refused at creation.
  CHECK_ERRNO(symlink("/etc/passwd", "/sandbox/evil_abs"), ENOTCAPABLE);
  CHECK_ERRNO(symlink("../outside", "/sandbox/evil_rel"), ENOTCAPABLE);
  CHECK_ERRNO(symlink("sub/../../outside", "/sandbox/evil_lex"), ENOTCAPABLE);
  CHECK(symlink("../inside.txt", "/sandbox/sub/ok_link") == 0);
  expect_file("/sandbox/sub/ok_link", "inside");
  // Renames and links between preopens.
  CHECK_ERRNO(rename("/sandbox/inside.txt", "/other/inside.txt"), EXDEV);
  CHECK_ERRNO(link("/sandbox/inside.txt", "/other/inside.txt"), EXDEV);
  // Raw preview1 calls with paths wasi-libc would never produce.
  __wasi_fd_t sandbox = preopen_fd("/sandbox");
  __wasi_fd_t fd;
  CHECK_WASI(__wasi_path_open(sandbox, 0, "/etc/passwd", 0, __WASI_RIGHTS_FD_READ, 0, 0, &fd),
             __WASI_ERRNO_NOTCAPABLE);
  CHECK_WASI(__wasi_path_open(sandbox, 0, "..", __WASI_OFLAGS_DIRECTORY, __WASI_RIGHTS_FD_READ,
                              0, 0, &fd),
             __WASI_ERRNO_NOTCAPABLE);
  CHECK_WASI(__wasi_path_create_directory(sandbox, "../evil2"), __WASI_ERRNO_NOTCAPABLE);
  CHECK_WASI(__wasi_path_symlink("x", sandbox, "../evil3"), __WASI_ERRNO_NOTCAPABLE);
  __wasi_filestat_t fst;
  CHECK_WASI(__wasi_path_filestat_get(sandbox, 0, "rel_link/", &fst), __WASI_ERRNO_NOTCAPABLE);
  CHECK_WASI(__wasi_path_filestat_get(sandbox, 0, "rel_link", &fst), __WASI_ERRNO_SUCCESS);
  CHECK(fst.filetype == __WASI_FILETYPE_SYMBOLIC_LINK);
  CHECK_WASI(__wasi_path_link(sandbox, __WASI_LOOKUPFLAGS_SYMLINK_FOLLOW, "inside.txt", sandbox,
                              "hl2"),
             __WASI_ERRNO_INVAL);
  CHECK_WASI(__wasi_path_open(sandbox, 0, "inside.txt", 0x10, __WASI_RIGHTS_FD_READ, 0, 0, &fd),
             __WASI_ERRNO_INVAL);
  // The import takes (ptr, len): a NUL inside the path must be refused, not cut the path short.
  static const char nul_path[] = "inside.txt\0/../../outside/secret.txt";
  CHECK_WASI(raw_path_open(sandbox, 0, (int32_t)nul_path, sizeof nul_path - 1, 0,
                           __WASI_RIGHTS_FD_READ, 0, 0, (int32_t)&fd),
             __WASI_ERRNO_INVAL);
  __wasi_size_t used = 0;
  char target[8];
  CHECK_WASI(__wasi_path_readlink(sandbox, "rel_file_link", (uint8_t*)target, sizeof target,
                                  &used),
             __WASI_ERRNO_SUCCESS);
  CHECK(used == sizeof target && memcmp(target, "../outsi", 8) == 0);
  char name[4];
  CHECK_WASI(__wasi_fd_prestat_dir_name(sandbox, (uint8_t*)name, sizeof name),
             __WASI_ERRNO_NAMETOOLONG);
  CHECK_WASI(__wasi_fd_renumber(sandbox, 1000), __WASI_ERRNO_BADF);
  // Absolute guest paths that match no preopen never reach the runtime: wasi-libc answers
  // itself (ENOTCAPABLE in this wasi-libc, ENOENT in newer ones).
  errno = 0;
  CHECK(open("/etc/passwd", O_RDONLY) == -1 && (errno == ENOTCAPABLE || errno == ENOENT));
}

static void readonly(void) {
  expect_file("/ro/data.txt", "read me");
  CHECK(dir_has("/ro", "data.txt"));
  struct stat st;
  CHECK(stat("/ro/data.txt", &st) == 0 && st.st_size == 7);
  CHECK_ERRNO(open("/ro/data.txt", O_WRONLY), EROFS);
  CHECK_ERRNO(open("/ro/data.txt", O_RDWR), EROFS);
  CHECK_ERRNO(open("/ro/data.txt", O_RDONLY | O_TRUNC), EROFS);
  CHECK_ERRNO(open("/ro/new.txt", O_WRONLY | O_CREAT, 0644), EROFS);
  CHECK(fopen("/ro/data.txt", "a") == NULL && errno == EROFS);
  CHECK_ERRNO(mkdir("/ro/d", 0755), EROFS);
  CHECK_ERRNO(unlink("/ro/data.txt"), EROFS);
  CHECK_ERRNO(rmdir("/ro/sub"), EROFS);
  CHECK_ERRNO(rename("/ro/data.txt", "/ro/renamed.txt"), EROFS);
  CHECK_ERRNO(rename("/ro/data.txt", "/sandbox/stolen.txt"), EROFS);
  CHECK_ERRNO(link("/ro/data.txt", "/ro/hl"), EROFS);
  CHECK_ERRNO(symlink("data.txt", "/ro/sl"), EROFS);
  struct timespec times[2] = {{1, 0}, {1, 0}};
  CHECK_ERRNO(utimensat(AT_FDCWD, "/ro/data.txt", times, 0), EROFS);
  int fd = open("/ro/data.txt", O_RDONLY);
  CHECK(fd >= 0);
  CHECK_ERRNO(write(fd, "x", 1), EBADF);
  CHECK_ERRNO(ftruncate(fd, 0), EROFS);
  CHECK(close(fd) == 0);
}

int main(int argc, char** argv) {
  if (argc != 2) {
    printf("usage: fs_guest basic|escape|readonly\n");
    return 2;
  }
  if (strcmp(argv[1], "basic") == 0) {
    basic();
  } else if (strcmp(argv[1], "escape") == 0) {
    escape();
  } else if (strcmp(argv[1], "readonly") == 0) {
    readonly();
  } else {
    printf("unknown mode %s\n", argv[1]);
    return 2;
  }
  printf("fs_guest %s: %d checks passed\n", argv[1], checks);
  return 0;
}
