/*
 * main.c: qemu-system-<target>.
 *
 * No CPU is emulated: the binary reports what configure decided and what was
 * compiled into it.
 */
#include "qemu/osdep.h"
#include "qemu/build-config.h"
#include "hw/qdev.h"
#include "qemu/cutils.h"
#include "net/net.h"
#include "net/af-xdp.h"
#include "qemu-config-features.h"

#include <inttypes.h>

#ifndef QEMU_TARGET_NAME
#error "QEMU_TARGET_NAME must name the target (set by meson.build)"
#endif

static void print_version(void)
{
    printf("QEMU emulator version %s%s\n", qemu_core_version(), qemu_core_pkgversion());
    printf("qemu-config core, target %s\n", QEMU_TARGET_NAME);
}

static void print_build_config(void)
{
    size_t count;
    const QemuConfigEntry *entries = qemu_build_config(&count);

    for (size_t i = 0; i < count; i++) {
        switch (entries[i].kind) {
        case QEMU_CONFIG_UNDEFINED:
            printf("%s=n\n", entries[i].name);
            break;
        case QEMU_CONFIG_DEFINED:
            printf("%s=y\n", entries[i].name);
            break;
        case QEMU_CONFIG_VALUE:
            printf("%s=%s\n", entries[i].name, entries[i].text);
            break;
        }
    }
}

static void print_devices(void)
{
    size_t count;
    const DeviceModel *const *models = qdev_models(&count);

    printf("Device models compiled into qemu-system-%s:\n", QEMU_TARGET_NAME);
    for (size_t i = 0; i < count; i++) {
        printf("name \"%s\", bus %s, desc \"%s\"\n", models[i]->name, models[i]->bus, models[i]->desc);
    }
}

static void print_accelerators(void)
{
    printf("Accelerators supported in qemu-system-%s:\n", QEMU_TARGET_NAME);
    /* configure's list, in QEMU's order; this target's config-target.h says which it got */
#define PRINT_IF_COMPILED_IN(name, suffix) if (IS_ENABLED(CONFIG_##suffix)) { printf("%s\n", name); }
    QEMU_ACCELERATORS(PRINT_IF_COMPILED_IN)
#undef PRINT_IF_COMPILED_IN
}

static void print_netdev_backends(void)
{
    const char *const *types;
    size_t count = netdev_backend_types(&types);

    printf("Available netdev backend types:\n");
    for (size_t i = 0; i < count; i++) {
        printf("%s\n", types[i]);
    }
}

/* One line of what a checked af-xdp netdev would open. */
static void print_af_xdp(const AfXdpOptions *opts, const AfXdpHostInfo *info)
{
    printf("netdev %s: af-xdp on %s (ifindex %u), queues %" PRIu32 "..%" PRIu32 ", mode %s, "
           "force-copy %s, inhibit %s", opts->id, opts->ifname, info->ifindex, opts->start_queue,
           opts->start_queue + opts->queues - 1,
           opts->mode == AF_XDP_MODE_AUTO ? "native (skb if refused)" : af_xdp_mode_name(opts->mode),
           opts->force_copy ? "on" : "off", opts->inhibit ? "on" : "off");
    for (uint32_t i = 0; i < opts->n_sock_fds; i++) {
        printf("%s%d", i ? ":" : " with sock-fds ", opts->sock_fds[i]);
    }
    printf("\n");
}

/*
 * -netdev SPEC: check a netdev as the emulator does before it opens it (the
 * options, then the host: the interface, its queues, the descriptors) and
 * say what it would open.  Nothing is opened: no CPU runs to use it.
 */
static int check_netdev(const char *argv0, const char *spec)
{
    char *type = NULL, *err = NULL;
    int ret = netdev_spec_type(spec, &type, &err);

    if (ret == 0 && strcmp(type, AF_XDP_NETDEV_TYPE) != 0) {
        const char *const *types;
        size_t count = netdev_backend_types(&types);
        fprintf(stderr, "%s: -netdev %s: Parameter 'type' expects a netdev backend type: '%s' is not one "
                "of this build; see -netdev help%s\n", argv0, spec, type,
                count ? "" : " (it has none)");
        free(type);
        return 1;
    }
    free(type);
    AfXdpOptions opts;
    AfXdpHostInfo info;
    if (ret == 0 && (ret = af_xdp_parse(spec, &opts, &err)) == 0) {
        ret = af_xdp_check_host(&opts, &info, &err);
        if (ret == 0) {
            print_af_xdp(&opts, &info);
        }
        af_xdp_options_free(&opts);
    }
    if (ret < 0) {
        fprintf(stderr, "%s: -netdev %s: %s\n", argv0, spec, err ? err : strerror(-ret));
        free(err);
        return 1;
    }
    return 0;
}

static void print_data_dirs(void)
{
    static const char *const firmware[] = { CONFIG_QEMU_FIRMWAREPATH NULL };
    char *datadir = get_relocated_path(CONFIG_QEMU_DATADIR);

    for (size_t i = 0; firmware[i]; i++) {
        char *path = get_relocated_path(firmware[i]);
        printf("%s\n", path ? path : firmware[i]);
        free(path);
    }
    printf("%s\n", datadir ? datadir : CONFIG_QEMU_DATADIR);
    free(datadir);
}

static void print_usage(FILE *out, const char *argv0)
{
    fprintf(out,
            "usage: %s [--version] [--build-config] [-device help] [-accel help] [-netdev help|SPEC] [-L help]\n"
            "  --version       print the version\n"
            "  --build-config  print the configuration this binary was built with\n"
            "  -device help    list the device models compiled in\n"
            "  -accel help     list the accelerators compiled in for this target\n"
            "  -netdev help    list the network backends compiled in\n"
            "  -netdev SPEC    check a netdev (options, interface, queues) and say what it would open\n"
            "  -L help         list the data directories (relocated in a relocatable install)\n",
            argv0);
}

int main(int argc, char **argv)
{
    qemu_init_exec_dir(argv[0]);
    if (argc == 2 && (!strcmp(argv[1], "--version") || !strcmp(argv[1], "-version"))) {
        print_version();
        return 0;
    }
    if (argc == 2 && !strcmp(argv[1], "--build-config")) {
        print_build_config();
        return 0;
    }
    if (argc == 3 && !strcmp(argv[1], "-accel") && !strcmp(argv[2], "help")) {
        print_accelerators();
        return 0;
    }
    if (argc == 3 && !strcmp(argv[1], "-netdev") && !strcmp(argv[2], "help")) {
        print_netdev_backends();
        return 0;
    }
    if (argc == 3 && !strcmp(argv[1], "-netdev")) {
        return check_netdev(argv[0], argv[2]);
    }
    if (argc == 3 && !strcmp(argv[1], "-L") && !strcmp(argv[2], "help")) {
        print_data_dirs();
        return 0;
    }
    if (argc == 3 && !strcmp(argv[1], "-device") && !strcmp(argv[2], "help")) {
        print_devices();
        return 0;
    }
    if (argc == 2 && (!strcmp(argv[1], "--help") || !strcmp(argv[1], "-h"))) {
        print_usage(stdout, argv[0]);
        return 0;
    }
    print_usage(stderr, argv[0]);
    return 1;
}
