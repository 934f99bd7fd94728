//! The Unix host: cap-std for paths, rustix for everything else.
