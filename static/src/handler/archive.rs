//! `?download=tar|tar_gz|zip` on a directory, with archives on: the
//! handler's side of [`crate::archive`] (which walks the tree through
//! this handler's own listing and resolver, as the [`Tree`] below).

use std::fs;
use std::io;
use std::path::Path;

use brisk_core::StatusCode;
use brisk_server::{Request, Response};

use super::{error, StaticFiles};
use crate::archive::{self, ArchiveStream, Format, Tree, Walker};
use crate::listing;
use crate::resolve::{self, Lexical, OpenError, Opened};

/// The top folder of an archive of the root when the root has no name (`/`).
const UNNAMED_ROOT: &str = "root";

impl StaticFiles {
    /// `?download=tar`, `tar_gz` or `zip` on any directory streams it as
    /// one archive (off by default): the same entries as the listing,
    /// recursively, under one folder named after the directory. Needs
    /// listings on ([`StaticFiles::listing`]): an archive shows names as
    /// a listing does.
    pub fn archives(mut self, on: bool) -> StaticFiles {
        self.archives = on;
        self
    }

    /// The format `?download=` asks for, when archives are on.
    pub(super) fn archive_asked(&self, req: &Request) -> Option<Result<Format, ()>> {
        if !self.archives {
            return None;
        }
        Format::from_query(req.query())
    }

    /// The archive of the directory `dir`, opened at `rel`.
    pub(super) fn archive(
        &self,
        asked: Result<Format, ()>,
        lexical: &Lexical,
        rel: &Path,
        dir: &fs::File,
    ) -> Response {
        if !self.listing {
            return error(StatusCode::FORBIDDEN);
        }
        let Ok(format) = asked else {
            return Response::text(
                StatusCode::BAD_REQUEST,
                "400 Bad Request: download= takes tar, tar_gz or zip\n",
            );
        };
        let top = match lexical.segments.last() {
            Some(name) => name.clone(),
            None => self.root.file_name().map_or(UNNAMED_ROOT.to_string(), |n| {
                n.to_string_lossy().into_owned()
            }),
        };
        let opened = dir.try_clone().and_then(|dir| {
            let meta = dir.metadata()?;
            Ok((dir, meta))
        });
        let (dir, meta) = match opened {
            Ok(opened) => opened,
            Err(e) => {
                log::warn!("static: archive of {top}: {e}");
                return error(StatusCode::INTERNAL_SERVER_ERROR);
            }
        };
        let walker = Walker::new(self.clone(), rel.to_path_buf(), &top, dir, meta);
        archive::response(ArchiveStream::new(walker, format, &top), format, &top)
    }
}

/// The tree an archive walks is the one requests see: the listing's
/// entries, the resolver's opens, with this handler's options.
impl Tree for StaticFiles {
    fn open(&self, rel: &Path) -> Result<Opened, OpenError> {
        resolve::open_inside(&self.root, Some(&self.root_dir), rel, self.open_options())
    }

    fn list(&self, dir: &fs::File, rel: &Path) -> io::Result<Vec<listing::Entry>> {
        StaticFiles::list(self, dir, rel)
    }
}
