//! What PROPFIND shows of a resource.

use std::fs::Metadata;
use std::time::{Duration, SystemTime, UNIX_EPOCH};

/// What PROPFIND shows of a resource: from one `statx` for a member (a
/// listing of 10,000 files is mostly these calls), or from the metadata of
/// a file the resolver opened.
#[derive(Debug, Clone)]
pub(in crate::webdav) struct Stat {
    pub is_dir: bool,
    pub len: u64,
    pub mtime: i64,
    pub mtime_nsec: i64,
    pub ino: u64,
    /// The birth time where the file system records it.
    pub created: Option<SystemTime>,
}

impl Stat {
    pub fn from_metadata(meta: &Metadata) -> Stat {
        use std::os::unix::fs::MetadataExt;
        Stat {
            is_dir: meta.is_dir(),
            len: meta.len(),
            mtime: meta.mtime(),
            mtime_nsec: meta.mtime_nsec(),
            ino: meta.ino(),
            created: meta.created().ok(),
        }
    }

    pub(super) fn from_statx(st: &rustix::fs::Statx) -> Stat {
        let born = (st.stx_mask & rustix::fs::StatxFlags::BTIME.bits()) != 0;
        Stat {
            is_dir: rustix::fs::FileType::from_raw_mode(st.stx_mode.into()).is_dir(),
            len: st.stx_size,
            mtime: st.stx_mtime.tv_sec,
            mtime_nsec: i64::from(st.stx_mtime.tv_nsec),
            ino: st.stx_ino,
            created: born.then(|| time_of(st.stx_btime.tv_sec, st.stx_btime.tv_nsec)),
        }
    }

    /// The modification time.
    pub fn modified(&self) -> SystemTime {
        time_of(self.mtime, self.mtime_nsec.clamp(0, 999_999_999) as u32)
    }
}

fn time_of(secs: i64, nanos: u32) -> SystemTime {
    let since = Duration::new(secs.unsigned_abs(), nanos);
    if secs >= 0 {
        UNIX_EPOCH + since
    } else {
        UNIX_EPOCH - since
    }
}
