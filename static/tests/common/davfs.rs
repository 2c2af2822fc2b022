//! A davfs2 mount of a URL inside a private mount namespace, reached from
//! the test through `/proc/PID/root` of the process that holds the
//! namespace, so nothing is ever mounted in the machine's own namespace
//! and an aborted test leaves no mount behind (the namespace goes with its
//! last process).

use std::os::unix::fs::PermissionsExt;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Output, Stdio};
use std::time::{Duration, Instant};

use super::{missing_peer, STEP_TIMEOUT};

/// Why the kernel (or the sandbox around it) refused the mount: the test
/// prints it and skips; every other failure fails the test.
pub struct Refused(pub String);

/// A mounted share; unmounted and its namespace ended on drop.
pub struct DavMount {
    holder: Child,
    /// The mount point as seen inside the namespace.
    inner: PathBuf,
    /// The mount point as this process reaches it.
    pub path: PathBuf,
    mounted: bool,
    _work: tempfile::TempDir,
}

/// mount.davfs lives in /usr/sbin, which a test's PATH may lack.
fn mount_davfs() -> &'static str {
    if Path::new("/usr/sbin/mount.davfs").exists() {
        "/usr/sbin/mount.davfs"
    } else {
        "mount.davfs"
    }
}

fn run(command: &mut Command) -> Output {
    command
        .stdin(Stdio::null())
        .output()
        .unwrap_or_else(|e| missing_peer("timeout", e))
}

impl DavMount {
    /// Mounts `url` with the credentials `user`/`pass`. davfs2 runs as
    /// its own user, so the work directory is opened up to it.
    pub fn mount(url: &str, user: &str, pass: &str) -> Result<DavMount, Refused> {
        if let Err(e) = Command::new(mount_davfs()).arg("-V").output() {
            missing_peer("mount.davfs", e);
        }
        let work = tempfile::tempdir().expect("tempdir");
        let base = work.path();
        for (dir, mode) in [("", 0o755), ("mnt", 0o755), ("cache", 0o777)] {
            let d = base.join(dir);
            std::fs::create_dir_all(&d).expect("mkdir");
            std::fs::set_permissions(&d, std::fs::Permissions::from_mode(mode)).expect("chmod");
        }
        let secrets = base.join("secrets");
        std::fs::write(&secrets, format!("{url} {user} {pass}\n")).expect("secrets");
        std::fs::set_permissions(&secrets, std::fs::Permissions::from_mode(0o600)).expect("chmod");
        // buf_size 64 (KiB): with Linux 6.16 and later, davfs2 1.6's
        // default directory buffer makes every readdir fail with EINVAL.
        // delay_upload 0: a closed file goes to the server at once.
        let conf = base.join("davfs2.conf");
        let text = format!(
            "use_locks 1\nbuf_size 64\ndelay_upload 0\ncache_dir {}\nsecrets {}\n",
            base.join("cache").display(),
            secrets.display()
        );
        std::fs::write(&conf, text).expect("davfs2.conf");

        let mut holder = Command::new("unshare")
            .args(["-m", "--propagation", "private", "sleep", "300"])
            .stdin(Stdio::null())
            .stderr(Stdio::piped())
            .spawn()
            .unwrap_or_else(|e| missing_peer("unshare", e));
        // Mount only once the holder is in its own namespace: entering it
        // before unshare(2) ran would mount in the machine's namespace.
        let own = std::fs::read_link("/proc/self/ns/mnt").expect("own mount namespace");
        let deadline = Instant::now() + STEP_TIMEOUT;
        loop {
            if let Ok(Some(status)) = holder.try_wait() {
                let out = holder.wait_with_output().expect("unshare output");
                let why = String::from_utf8_lossy(&out.stderr);
                return Err(Refused(format!("unshare -m: {status}: {why}")));
            }
            match std::fs::read_link(format!("/proc/{}/ns/mnt", holder.id())) {
                Ok(ns) if ns != own => break,
                _ if Instant::now() > deadline => {
                    let _ = holder.kill();
                    panic!("unshare -m: no new mount namespace within {STEP_TIMEOUT:?}");
                }
                _ => std::thread::sleep(Duration::from_millis(20)),
            }
        }
        let inner = base.join("mnt");
        let path = PathBuf::from(format!("/proc/{}/root", holder.id()))
            .join(inner.strip_prefix("/").expect("absolute"));
        let mut mounted = DavMount {
            holder,
            inner,
            path,
            mounted: false,
            _work: work,
        };
        let out = mounted.in_namespace(&[
            mount_davfs(),
            "-o",
            &format!("conf={}", conf.display()),
            url,
            &mounted.inner.to_string_lossy(),
        ]);
        if !out.status.success() {
            let why = String::from_utf8_lossy(&out.stderr).into_owned();
            let kernel = ["fuse", "coda", "mounting failed", "kernel"];
            if kernel.iter().any(|k| why.to_lowercase().contains(k)) {
                return Err(Refused(format!("mount.davfs: {why}")));
            }
            panic!("mount.davfs failed ({}): {why}", out.status);
        }
        mounted.mounted = true;
        Ok(mounted)
    }

    /// Runs `argv` inside the namespace, bounded in time.
    fn in_namespace(&self, argv: &[&str]) -> Output {
        run(Command::new("timeout")
            .args(["30", "nsenter", "-t", &self.holder.id().to_string(), "-m"])
            .args(argv))
    }

    /// Unmounts: davfs2 uploads what is still cached first, so the tree
    /// on the server is final when this returns.
    pub fn unmount(&mut self) {
        self.mounted = false;
        let out = self.in_namespace(&["umount", &self.inner.to_string_lossy()]);
        assert!(
            out.status.success(),
            "umount: {}",
            String::from_utf8_lossy(&out.stderr)
        );
    }

    /// davfs2's daemon, from its pid file (named after the mount point).
    fn daemon_pid(&self) -> Option<String> {
        let name = self
            .inner
            .to_string_lossy()
            .trim_start_matches('/')
            .replace('/', "-");
        std::fs::read_to_string(format!("/var/run/mount.davfs/{name}.pid"))
            .ok()
            .map(|s| s.trim().to_string())
    }
}

impl Drop for DavMount {
    fn drop(&mut self) {
        if self.mounted {
            let _ = self.in_namespace(&["umount", &self.inner.to_string_lossy()]);
        }
        // A daemon that outlived a failed unmount: ended by its own PID.
        if let Some(pid) = self.daemon_pid() {
            let _ = Command::new("kill").arg(pid).status();
        }
        let _ = self.holder.kill();
        let _ = self.holder.wait();
    }
}
