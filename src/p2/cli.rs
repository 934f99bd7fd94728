//! `wasi:cli`: the environment (arguments, variables, no initial directory), `exit`, the
//! standard streams and the terminal interfaces — all from the same [`System`] a preview 1
//! module would get, so a component and a module given one system see the same argv, the same
//! variables and the same fds 0, 1 and 2.

use wasmtime::component::Resource;

use crate::abi::{Fd, Filetype, Rights};
use crate::p1::ProcExit;
use crate::p2::bindings::wasi::cli::{
    environment, exit, stderr, stdin, stdout, terminal_input, terminal_output, terminal_stderr,
    terminal_stdin, terminal_stdout,
};
use crate::p2::bindings::{TerminalInput, TerminalOutput};
use crate::p2::ctx::WasiP2;
use crate::p2::io::{InputStream, OutputStream};
use crate::system::System;

/// A preview 1 argument or variable as a WIT `string`. Preview 1 hands a guest raw bytes, but
/// a component-model string is UTF-8, so bytes that are not become U+FFFD (what Rust's `std`
/// does for a lossy conversion; the guest sees that something was there).
fn text(bytes: &[u8]) -> String {
    String::from_utf8_lossy(bytes).into_owned()
}

/// Whether `fd` is a terminal, by the rule wasi-libc's `isatty()` applies to preview 1's
/// answers: a character device without the seek and tell rights (the Unix host withholds them
/// from ttys only). A closed fd is not a terminal.
fn is_terminal<S: System>(sys: &mut S, fd: Fd) -> bool {
    sys.fd_fdstat_get(fd).is_ok_and(|st| {
        st.filetype == Filetype::CharacterDevice
            && !st.rights_base.intersects(Rights::FD_SEEK | Rights::FD_TELL)
    })
}

impl<S: System> environment::Host for WasiP2<S> {
    /// `get-environment`: the system's `NAME=VALUE` strings split at the first `=`; a string
    /// without one is a name with an empty value.
    fn get_environment(&mut self) -> wasmtime::Result<Vec<(String, String)>> {
        let vars = self.sys.environ_get().map_err(|e| {
            wasmtime::format_err!("get-environment: environ_get failed: {}", e.name())
        })?;
        Ok(vars
            .iter()
            .map(|kv| match kv.iter().position(|&b| b == b'=') {
                Some(i) => (text(&kv[..i]), text(&kv[i + 1..])),
                None => (text(kv), String::new()),
            })
            .collect())
    }

    /// `get-arguments`: argv, `argv[0]` (the program name) first.
    fn get_arguments(&mut self) -> wasmtime::Result<Vec<String>> {
        let args = self
            .sys
            .args_get()
            .map_err(|e| wasmtime::format_err!("get-arguments: args_get failed: {}", e.name()))?;
        Ok(args.iter().map(|a| text(a)).collect())
    }

    /// `initial-cwd`: none. A guest reaches files only through its preopens; there is no
    /// current directory to resolve relative paths against (wasi-libc then resolves them
    /// against the preopens, as under preview 1).
    fn initial_cwd(&mut self) -> wasmtime::Result<Option<String>> {
        Ok(None)
    }
}

impl<S: System> WasiP2<S> {
    /// Ends the guest with `code`, the way preview 1's `proc_exit` does: the system releases
    /// its resources, then the call unwinds with [`ProcExit`], which the runner reports as
    /// the exit status.
    fn exit_with(&mut self, code: u32) -> wasmtime::Result<()> {
        self.sys.proc_exit(code);
        Err(wasmtime::Error::new(ProcExit(code)))
    }
}

impl<S: System> exit::Host for WasiP2<S> {
    /// `exit`: `ok` is status 0, `err` status 1 (the spec leaves the number to the host; 1 is
    /// what every WASI host reports).
    fn exit(&mut self, status: Result<(), ()>) -> wasmtime::Result<()> {
        self.exit_with(if status.is_ok() { 0 } else { 1 })
    }

    /// `exit-with-code`: exactly `status-code` (0 to 255, so it is an exit status as is).
    fn exit_with_code(&mut self, status_code: u8) -> wasmtime::Result<()> {
        self.exit_with(u32::from(status_code))
    }
}

impl<S: System> stdin::Host for WasiP2<S> {
    /// `get-stdin`: a stream reading fd 0 (one that is at its end if fd 0 is closed).
    fn get_stdin(&mut self) -> wasmtime::Result<Resource<InputStream>> {
        self.fd_input_stream(0)
    }
}

impl<S: System> stdout::Host for WasiP2<S> {
    /// `get-stdout`: a stream writing fd 1.
    fn get_stdout(&mut self) -> wasmtime::Result<Resource<OutputStream>> {
        self.fd_output_stream(1)
    }
}

impl<S: System> stderr::Host for WasiP2<S> {
    /// `get-stderr`: a stream writing fd 2.
    fn get_stderr(&mut self) -> wasmtime::Result<Resource<OutputStream>> {
        self.fd_output_stream(2)
    }
}

impl<S: System> terminal_input::Host for WasiP2<S> {}

impl<S: System> terminal_input::HostTerminalInput for WasiP2<S> {
    fn drop(&mut self, rep: Resource<TerminalInput>) -> wasmtime::Result<()> {
        self.table.delete(rep)?;
        Ok(())
    }
}

impl<S: System> terminal_output::Host for WasiP2<S> {}

impl<S: System> terminal_output::HostTerminalOutput for WasiP2<S> {
    fn drop(&mut self, rep: Resource<TerminalOutput>) -> wasmtime::Result<()> {
        self.table.delete(rep)?;
        Ok(())
    }
}

impl<S: System> terminal_stdin::Host for WasiP2<S> {
    /// `get-terminal-stdin`: a terminal if fd 0 is a tty, else none.
    fn get_terminal_stdin(&mut self) -> wasmtime::Result<Option<Resource<TerminalInput>>> {
        if !is_terminal(&mut self.sys, 0) {
            return Ok(None);
        }
        Ok(Some(self.table.push(TerminalInput)?))
    }
}

impl<S: System> WasiP2<S> {
    /// A `terminal-output` for `fd` if it is a tty.
    fn terminal_output(&mut self, fd: Fd) -> wasmtime::Result<Option<Resource<TerminalOutput>>> {
        if !is_terminal(&mut self.sys, fd) {
            return Ok(None);
        }
        Ok(Some(self.table.push(TerminalOutput)?))
    }
}

impl<S: System> terminal_stdout::Host for WasiP2<S> {
    /// `get-terminal-stdout`: a terminal if fd 1 is a tty, else none.
    fn get_terminal_stdout(&mut self) -> wasmtime::Result<Option<Resource<TerminalOutput>>> {
        self.terminal_output(1)
    }
}

impl<S: System> terminal_stderr::Host for WasiP2<S> {
    /// `get-terminal-stderr`: a terminal if fd 2 is a tty, else none.
    fn get_terminal_stderr(&mut self) -> wasmtime::Result<Option<Resource<TerminalOutput>>> {
        self.terminal_output(2)
    }
}

#[cfg(test)]
mod tests {
    use std::os::fd::OwnedFd;

    use super::*;
    use crate::host::UnixSystem;
    use crate::p2::bindings::wasi::cli::environment::Host as _;
    use crate::p2::bindings::wasi::cli::exit::Host as _;
    use crate::p2::bindings::wasi::io::streams::{HostInputStream as _, HostOutputStream as _};
    use crate::table::Limits;

    fn with_stdio(files: [std::fs::File; 3]) -> WasiP2<UnixSystem> {
        let mut sys = UnixSystem::new(Limits::default());
        for f in files {
            sys.push_fd(OwnedFd::from(f)).unwrap();
        }
        WasiP2::new(sys)
    }

    #[test]
    fn environment_and_arguments_come_from_the_system() {
        let mut sys = UnixSystem::new(Limits::default());
        sys.set_args(vec![
            b"prog".to_vec(),
            b"-x".to_vec(),
            b"caf\xc3\xa9".to_vec(),
            b"\xff".to_vec(),
        ])
        .unwrap();
        sys.set_env(vec![b"A=1".to_vec(), b"B=x=y".to_vec(), b"EMPTY=".to_vec()])
            .unwrap();
        let mut c = WasiP2::new(sys);
        assert_eq!(
            c.get_arguments().unwrap(),
            ["prog", "-x", "café", "\u{fffd}"]
        );
        let env = c.get_environment().unwrap();
        let pairs: Vec<(&str, &str)> = env.iter().map(|(k, v)| (k.as_str(), v.as_str())).collect();
        assert_eq!(pairs, [("A", "1"), ("B", "x=y"), ("EMPTY", "")]);
        assert_eq!(c.initial_cwd().unwrap(), None);
    }

    #[test]
    fn exit_unwinds_with_the_status() {
        let mut c = with_stdio([
            tempfile::tempfile().unwrap(),
            tempfile::tempfile().unwrap(),
            tempfile::tempfile().unwrap(),
        ]);
        let code = |e: wasmtime::Error| e.downcast_ref::<ProcExit>().copied();
        assert_eq!(code(c.exit(Ok(())).unwrap_err()), Some(ProcExit(0)));
        assert_eq!(code(c.exit(Err(())).unwrap_err()), Some(ProcExit(1)));
        assert_eq!(code(c.exit_with_code(42).unwrap_err()), Some(ProcExit(42)));
        assert_eq!(
            code(c.exit_with_code(255).unwrap_err()),
            Some(ProcExit(255))
        );
    }

    #[test]
    fn stdio_streams_use_fds_0_1_2() {
        use std::io::{Read, Seek, SeekFrom, Write};
        let mut input = tempfile::tempfile().unwrap();
        input.write_all(b"typed").unwrap();
        input.seek(SeekFrom::Start(0)).unwrap();
        let mut out = tempfile::tempfile().unwrap();
        let mut err = tempfile::tempfile().unwrap();
        let mut c = with_stdio([
            input.try_clone().unwrap(),
            out.try_clone().unwrap(),
            err.try_clone().unwrap(),
        ]);
        let i = stdin::Host::get_stdin(&mut c).unwrap();
        let got = c.read(Resource::new_borrow(i.rep()), 100).unwrap();
        assert_eq!(got, b"typed");
        let o = stdout::Host::get_stdout(&mut c).unwrap();
        c.blocking_write_and_flush(Resource::new_borrow(o.rep()), b"to out".to_vec())
            .unwrap();
        let e = stderr::Host::get_stderr(&mut c).unwrap();
        c.blocking_write_and_flush(Resource::new_borrow(e.rep()), b"to err".to_vec())
            .unwrap();
        let read_back = |f: &mut std::fs::File| {
            let mut s = String::new();
            f.seek(SeekFrom::Start(0)).unwrap();
            f.read_to_string(&mut s).unwrap();
            s
        };
        assert_eq!(read_back(&mut out), "to out");
        assert_eq!(read_back(&mut err), "to err");
    }

    #[test]
    fn files_and_closed_fds_are_not_terminals() {
        let mut c = with_stdio([
            tempfile::tempfile().unwrap(),
            tempfile::tempfile().unwrap(),
            tempfile::tempfile().unwrap(),
        ]);
        assert!(
            terminal_stdin::Host::get_terminal_stdin(&mut c)
                .unwrap()
                .is_none()
        );
        assert!(
            terminal_stdout::Host::get_terminal_stdout(&mut c)
                .unwrap()
                .is_none()
        );
        assert!(
            terminal_stderr::Host::get_terminal_stderr(&mut c)
                .unwrap()
                .is_none()
        );
        // /dev/null is a character device but not a tty.
        let null = || {
            std::fs::File::options()
                .read(true)
                .write(true)
                .open("/dev/null")
                .unwrap()
        };
        let mut c = with_stdio([null(), null(), null()]);
        assert!(
            terminal_stdout::Host::get_terminal_stdout(&mut c)
                .unwrap()
                .is_none()
        );
        let mut empty = WasiP2::new(UnixSystem::new(Limits::default()));
        assert!(
            terminal_stderr::Host::get_terminal_stderr(&mut empty)
                .unwrap()
                .is_none()
        );
    }

    /// A pseudo-terminal's follower end is a terminal: the resource comes back and drops.
    #[test]
    fn a_pty_is_a_terminal() {
        use rustix::pty::{OpenptFlags, grantpt, openpt, ptsname, unlockpt};
        let Ok(leader) = openpt(OpenptFlags::RDWR | OpenptFlags::NOCTTY) else {
            eprintln!("no /dev/ptmx here; skipping");
            return;
        };
        grantpt(&leader).unwrap();
        unlockpt(&leader).unwrap();
        let name = ptsname(&leader, Vec::new()).unwrap();
        let tty = || {
            std::fs::File::options()
                .read(true)
                .write(true)
                .open(name.to_str().unwrap())
                .unwrap()
        };
        let mut c = with_stdio([tty(), tty(), tempfile::tempfile().unwrap()]);
        let t = terminal_stdin::Host::get_terminal_stdin(&mut c)
            .unwrap()
            .expect("stdin is a tty");
        terminal_input::HostTerminalInput::drop(&mut c, t).unwrap();
        let t = terminal_stdout::Host::get_terminal_stdout(&mut c)
            .unwrap()
            .expect("stdout is a tty");
        terminal_output::HostTerminalOutput::drop(&mut c, t).unwrap();
        assert!(
            terminal_stderr::Host::get_terminal_stderr(&mut c)
                .unwrap()
                .is_none()
        );
    }
}
