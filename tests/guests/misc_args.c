/* args_* and environ_*: prints what the guest received, byte for byte, so tests/p1_misc.rs can
 * compare it with what the host was given (empty strings and non-ASCII bytes included), and
 * checks the raw layout: pointers into one buffer, each string NUL-terminated, contiguous, the
 * sizes exactly the sum of the lengths plus NULs. Lines: "sizes A B E F", "arg <hex>",
 * "env <hex>" (hex so any byte survives). */
#include "check.h"

static void hex_line(const char *tag, const char *s) {
    printf("%s ", tag);
    for (const unsigned char *p = (const unsigned char *)s; *p; p++) printf("%02x", *p);
    printf("\n");
}

/* Checks one pointer array + buffer pair as args_get/environ_get left them. */
static void check_layout(uint8_t **ptrs, uint8_t *buf, __wasi_size_t count, __wasi_size_t size,
                         const char *tag) {
    uint8_t *expect_at = buf;
    for (__wasi_size_t i = 0; i < count; i++) {
        CHECK(ptrs[i] == expect_at);
        size_t len = strlen((const char *)ptrs[i]);
        hex_line(tag, (const char *)ptrs[i]);
        expect_at += len + 1;
    }
    CHECK(expect_at == buf + size);
}

int main(void) {
    __wasi_size_t argc = 0, argv_size = 0, envc = 0, env_size = 0;
    CHECK_OK(__wasi_args_sizes_get(&argc, &argv_size));
    CHECK_OK(__wasi_environ_sizes_get(&envc, &env_size));
    printf("sizes %u %u %u %u\n", (unsigned)argc, (unsigned)argv_size, (unsigned)envc,
           (unsigned)env_size);

    /* One spare slot and byte each: the host must not write past the sizes it announced. */
    uint8_t **argv = calloc(argc + 1, sizeof *argv);
    uint8_t *argv_buf = malloc(argv_size + 1);
    uint8_t **envp = calloc(envc + 1, sizeof *envp);
    uint8_t *env_buf = malloc(env_size + 1);
    argv[argc] = (uint8_t *)0x5a5a5a5a;
    argv_buf[argv_size] = 0x5a;
    envp[envc] = (uint8_t *)0x5a5a5a5a;
    env_buf[env_size] = 0x5a;
    CHECK_OK(__wasi_args_get(argv, argv_buf));
    CHECK_OK(__wasi_environ_get(envp, env_buf));
    check_layout(argv, argv_buf, argc, argv_size, "arg");
    check_layout(envp, env_buf, envc, env_size, "env");
    CHECK(argv[argc] == (uint8_t *)0x5a5a5a5a && argv_buf[argv_size] == 0x5a);
    CHECK(envp[envc] == (uint8_t *)0x5a5a5a5a && env_buf[env_size] == 0x5a);
    return finish();
}
