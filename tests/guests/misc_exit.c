/* proc_exit: exits with argv[1] as the code. Nothing after proc_exit may run. */
#include "check.h"

int main(int argc, char **argv) {
    unsigned code = argc > 1 ? (unsigned)atoi(argv[1]) : 7;
    printf("before exit %u\n", code);
    fflush(stdout);
    __wasi_proc_exit(code);
    printf("after exit\n"); /* unreachable: proc_exit unwinds the guest */
    return 3;
}
