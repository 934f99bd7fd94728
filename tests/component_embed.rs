//! The embedding API runs WASI 0.2 command components: `embed::run_file` and `embed::run` tell
//! a component from a module by its content, and give it the builder's world (args, captured
//! stdio, preopens) exactly as they give a module.

mod common;

use std::fs;

use capwasi::embed::{self, Stdio, WasiBuilder};
use common::component::component_bytes;
use common::guest_path;

fn builder(data: &std::path::Path) -> WasiBuilder {
    WasiBuilder::new()
        .args(["libc_files.wasm", "/data"])
        .preopen_dir(data, "/data")
        .stdout(Stdio::Capture)
        .stderr(Stdio::Capture)
}

fn data_dir() -> tempfile::TempDir {
    let d = tempfile::tempdir().unwrap();
    fs::write(d.path().join("input.txt"), "from host\nsecond line\n").unwrap();
    d
}

#[test]
fn run_file_and_run_take_a_component_like_a_module() {
    let bin = tempfile::tempdir().unwrap();
    let component = bin.path().join("libc_files.wasm");
    fs::write(&component, &*component_bytes(&guest_path("libc_files"))).unwrap();

    let module_data = data_dir();
    let module = embed::run_file(guest_path("libc_files"), builder(module_data.path())).unwrap();
    assert_eq!(
        module.status(),
        0,
        "{}",
        String::from_utf8_lossy(&module.stderr)
    );

    let file_data = data_dir();
    let by_file = embed::run_file(&component, builder(file_data.path())).unwrap();
    let bytes_data = data_dir();
    let by_bytes = embed::run(&fs::read(&component).unwrap(), builder(bytes_data.path())).unwrap();
    for (how, result, data) in [
        ("run_file", &by_file, &file_data),
        ("run", &by_bytes, &bytes_data),
    ] {
        assert_eq!(
            result.status(),
            0,
            "{how}: {}",
            String::from_utf8_lossy(&result.stderr)
        );
        assert_eq!(result.stdout, module.stdout, "{how}");
        assert_eq!(
            fs::read_to_string(data.path().join("out/renamed.txt")).unwrap(),
            "line 1: hello\nline 2: 42\nline 3: appended\n",
            "{how}"
        );
    }
}
