// A Rust `std` program for wasm32-wasi (built with Debian's rustc + libstd-rust-dev-wasm32 by
// scripts/build-guests.sh): what Rust programs see through std::fs, std::env and
// std::process on capwasi. Prints one line per step; tests/rust_guest.rs checks them.
use std::fs;
use std::io::{Read, Seek, SeekFrom, Write};

fn main() {
    let args: Vec<String> = std::env::args().collect();
    println!("args {:?}", args);
    println!("env GREETING={:?}", std::env::var("GREETING").ok());

    let root = "/data";
    fs::create_dir(format!("{root}/made")).unwrap();
    fs::write(format!("{root}/made/a.txt"), b"hello from rust").unwrap();
    let mut f = fs::OpenOptions::new()
        .read(true)
        .append(true)
        .open(format!("{root}/made/a.txt"))
        .unwrap();
    f.write_all(b"!").unwrap();
    f.seek(SeekFrom::Start(6)).unwrap();
    let mut s = String::new();
    f.read_to_string(&mut s).unwrap();
    println!("read {s:?}");
    println!("len {}", f.metadata().unwrap().len());

    fs::rename(format!("{root}/made/a.txt"), format!("{root}/made/b.txt")).unwrap();
    let mut names: Vec<String> = fs::read_dir(format!("{root}/made"))
        .unwrap()
        .map(|e| e.unwrap().file_name().into_string().unwrap())
        .collect();
    names.sort();
    println!("listing {names:?}");
    println!("is_dir {}", fs::metadata(format!("{root}/made")).unwrap().is_dir());

    // Outside the preopen: the sandbox answers, std reports an error.
    match fs::read_to_string(format!("{root}/../etc/passwd")) {
        Ok(_) => println!("escape READ"),
        Err(e) => println!("escape refused: {:?}", e.kind()),
    }
    match fs::metadata("/etc/passwd") {
        Ok(_) => println!("absolute READ"),
        Err(e) => println!("absolute refused: {:?}", e.kind()),
    }

    fs::remove_file(format!("{root}/made/b.txt")).unwrap();
    fs::remove_dir(format!("{root}/made")).unwrap();
    println!("cleaned {}", fs::metadata(format!("{root}/made")).is_err());
    std::process::exit(3);
}
