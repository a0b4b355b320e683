"""Build macros shared by every package: protobuf code generation and fuzz targets."""

def portcullis_proto_library(name, srcs, deps = [], visibility = None):
    """Generates C++ code for `srcs` with Debian's protoc and wraps it in a cc_library.

    Args:
      name: name of the resulting cc_library.
      srcs: .proto files of this package, imported as "<package>/<file>.proto".
      deps: other portcullis_proto_library targets whose .proto files `srcs` import.
      visibility: visibility of the cc_library.
    """
    headers = [s[:-len(".proto")] + ".pb.h" for s in srcs]
    sources = [s[:-len(".proto")] + ".pb.cc" for s in srcs]
    dep_protos = [d + "_protos" for d in deps]

    native.filegroup(
        name = name + "_protos",
        srcs = srcs + dep_protos,
        visibility = visibility,
    )

    native.genrule(
        name = name + "_generate",
        srcs = srcs + dep_protos,
        outs = headers + sources,
        cmd = "/usr/bin/protoc --proto_path=. --proto_path=/usr/include --cpp_out=$(GENDIR) " +
              " ".join(["$(location %s)" % s for s in srcs]),
    )

    native.cc_library(
        name = name,
        srcs = sources,
        hdrs = headers,
        deps = deps + ["@debian//:protobuf"],
        visibility = visibility,
    )

def portcullis_fuzzer(name, srcs, deps = [], corpus = None, **kwargs):
    """Builds a libFuzzer target from a file that defines LLVMFuzzerTestOneInput.

    Under --config=fuzz the binary links libFuzzer. Under every other config it
    links a small driver that runs each file given on the command line once,
    and a test named `<name>_corpus_test` replays the seed corpus that way, so
    the seeds stay green under the ordinary and sanitizer builds.

    Args:
      name: name of the fuzzer binary.
      srcs: sources, one of which defines LLVMFuzzerTestOneInput.
      deps: libraries the fuzzer uses.
      corpus: label of a filegroup with the seed corpus.
      **kwargs: passed to the cc_binary.
    """
    native.cc_binary(
        name = name,
        srcs = srcs,
        deps = deps + select({
            "//tools:fuzzing": [],
            "//conditions:default": ["//fuzz:replay_main"],
        }),
        linkopts = select({
            "//tools:fuzzing": ["-fsanitize=fuzzer"],
            "//conditions:default": [],
        }),
        tags = ["fuzzer"],
        **kwargs
    )
    if corpus:
        native.sh_test(
            name = name + "_corpus_test",
            srcs = ["//fuzz:replay_corpus.sh"],
            args = ["$(location :%s)" % name, "$(locations %s)" % corpus],
            data = [":" + name, corpus],
        )
