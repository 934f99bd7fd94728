//! `wasi:io`: the `error` resource, pollables and `poll`, and input and output streams.
//!
//! Streams and pollables refer to fds of the [`System`](crate::system::System)'s table by
//! number and do their I/O through its preview 1 calls, so a stream has exactly the rights of
//! the fd it was made from.

mod error;
mod poll;
mod streams;

pub use error::IoError;
pub use poll::Pollable;
pub use streams::{InputStream, OutputStream, StreamError};

pub(crate) use poll::fd_ready;
pub(crate) use streams::MAX_READ as MAX_READ_LEN;

#[cfg(test)]
mod tests;
