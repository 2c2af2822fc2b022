//! Read buffer growth and the write queue's order, backpressure and
//! sendfile fallback.

use super::*;
use crate::transport::fake::{Fake, Unix};
use std::io::{Read, Write};

#[test]
fn read_buf_grows_and_compacts() {
    let mut buf = ReadBuf::new();
    assert_eq!(buf.capacity(), 0);
    let data = vec![b'x'; 3000];
    let mut src = &data[..];
    assert_eq!(
        buf.read_from(|b| src.read(b), 4096).unwrap(),
        ReadOutcome::Data {
            n: 1024,
            short: false
        }
    );
    assert_eq!(
        buf.read_from(|b| src.read(b), 4096).unwrap(),
        ReadOutcome::Data {
            n: 1024,
            short: false
        }
    );
    assert_eq!(buf.capacity(), 2048);
    buf.consume(2000);
    // Compacts instead of growing: 48 bytes left, room for 2000 more.
    assert_eq!(
        buf.read_from(|b| src.read(b), 4096).unwrap(),
        ReadOutcome::Data {
            n: 952,
            short: true
        }
    );
    assert_eq!(buf.capacity(), 2048);
    assert_eq!(
        buf.read_from(|b| src.read(b), 4096).unwrap(),
        ReadOutcome::Eof
    );
    buf.consume(buf.len());
    assert!(buf.is_empty());
}

#[test]
fn read_buf_reports_full_at_the_limit() {
    let mut buf = ReadBuf::new();
    let data = vec![b'x'; 5000];
    let mut src = &data[..];
    let mut total = 0;
    loop {
        match buf.read_from(|b| src.read(b), 2048).unwrap() {
            ReadOutcome::Data { n, .. } => total += n,
            ReadOutcome::Full => break,
            other => panic!("{other:?}"),
        }
    }
    assert_eq!(total, 2048);
}

#[test]
fn write_queue_keeps_order_across_bytes_files_streams_and_marks() {
    let mut file = tempfile::tempfile().unwrap();
    file.write_all(b"FILEDATA").unwrap();
    let file = Arc::new(file);
    let (mut a, mut b) = Unix::pair();
    let mut q = WriteQueue::new();
    q.push_vec(b"head1|".to_vec());
    q.push_file(file.clone(), 4, 4);
    q.push_mark();
    q.push_vec(b"|head2|".to_vec());
    q.push_stream(Stream {
        iter: Box::new(vec![Ok(b"ab".to_vec()), Ok(vec![]), Ok(b"c".to_vec())].into_iter()),
        frame: |piece, out| {
            out.push(b'<');
            out.extend_from_slice(piece);
            out.push(b'>');
        },
        trailer: b"END",
    });
    q.push_mark();
    assert_eq!(q.pending_bodies(), 2);
    let mut marks = vec![];
    assert_eq!(q.flush(&mut a, &mut marks).unwrap(), FlushOutcome::Drained);
    assert!(q.is_empty());
    assert_eq!(q.mem_bytes(), 0);
    assert_eq!(q.pending_bodies(), 0);
    drop(a);
    let mut got = String::new();
    b.read_to_string(&mut got).unwrap();
    assert_eq!(got, "head1|DATA|head2|<ab><c>END");
    assert_eq!(marks, vec![10, got.len() as u64]);
}

#[test]
fn write_queue_stops_at_would_block_and_resumes() {
    let (mut a, mut b) = Unix::pair();
    let mut q = WriteQueue::new();
    let big = vec![7u8; 4 << 20];
    q.push_vec(big.clone());
    let mut marks = vec![];
    assert_eq!(
        q.flush(&mut a, &mut marks).unwrap(),
        FlushOutcome::WouldBlock
    );
    assert!(q.mem_bytes() > 0 && q.mem_bytes() < big.len());
    let reader = std::thread::spawn(move || {
        let mut all = vec![];
        b.read_to_end(&mut all).unwrap();
        all.len()
    });
    while q.flush(&mut a, &mut marks).unwrap() != FlushOutcome::Drained {
        std::thread::sleep(std::time::Duration::from_millis(1));
    }
    drop(a);
    assert_eq!(reader.join().unwrap(), big.len());
}

/// A transport without sendfile: the region goes through one reused
/// slice buffer, bounded, resumes where the transport stopped taking
/// bytes, and keeps its place among the other items.
#[test]
fn file_regions_without_sendfile_go_through_a_bounded_slice() {
    let data: Vec<u8> = (0..300_000u32).map(|i| (i % 251) as u8).collect();
    let mut file = tempfile::tempfile().unwrap();
    file.write_all(&data).unwrap();
    let (mut t, wire) = Fake::new();
    let mut q = WriteQueue::new();
    q.push_vec(b"head|".to_vec());
    q.push_file(Arc::new(file), 7, 200_000);
    q.push_mark();
    q.push_vec(b"|tail".to_vec());
    assert_eq!(q.pending_bodies(), 1);
    let mut marks = vec![];
    // The peer takes 1000 bytes, then stops reading.
    wire.borrow_mut().room = 1000;
    assert_eq!(
        q.flush(&mut t, &mut marks).unwrap(),
        FlushOutcome::WouldBlock
    );
    assert_eq!(wire.borrow().output.len(), 1000);
    assert!(
        q.slice.capacity() <= FILE_SLICE_BYTES,
        "{}",
        q.slice.capacity()
    );
    // Backpressure accounting is unchanged: one body pending, only the
    // head's and tail's bytes in memory.
    assert_eq!(q.pending_bodies(), 1);
    assert_eq!(q.mem_bytes(), 5);
    // Odd-sized windows, so that slices are cut mid-write.
    while {
        wire.borrow_mut().room = 77_777;
        q.flush(&mut t, &mut marks).unwrap() != FlushOutcome::Drained
    } {
        assert!(q.slice.capacity() <= FILE_SLICE_BYTES);
    }
    let out = wire.borrow_mut().output.clone();
    let mut want = b"head|".to_vec();
    want.extend_from_slice(&data[7..200_007]);
    want.extend_from_slice(b"|tail");
    assert!(out == want, "wire differs from head + region + tail");
    assert_eq!(marks, vec![200_005]);
    assert_eq!((q.pending_bodies(), q.mem_bytes()), (0, 0));
    q.reset(true);
    assert_eq!(q.slice.capacity(), 0);
}

#[test]
fn a_file_shorter_than_its_region_fails_without_sendfile() {
    let mut file = tempfile::tempfile().unwrap();
    file.write_all(b"short").unwrap();
    let (mut t, _wire) = Fake::new();
    let mut q = WriteQueue::new();
    q.push_file(Arc::new(file), 0, 10);
    let err = q.flush(&mut t, &mut vec![]).unwrap_err();
    assert_eq!(err.kind(), io::ErrorKind::UnexpectedEof);
}

#[test]
fn small_pushes_coalesce_into_one_chunk() {
    let mut q = WriteQueue::new();
    q.push_vec(b"a".to_vec());
    let mut buf = q.take_buf();
    buf.extend_from_slice(b"b");
    q.push_vec(buf);
    q.push_vec(b"c".to_vec());
    assert_eq!(q.items.len(), 1);
    assert_eq!(q.mem_bytes(), 3);
}

/// A response that would take the tail chunk past the coalescing size
/// starts a new chunk, which has room for a whole chunk: pipelined
/// responses never grow a buffer by reallocation.
#[test]
fn append_starts_a_roomy_chunk_instead_of_growing_the_tail() {
    let mut q = WriteQueue::new();
    let piece = vec![b'x'; 1300];
    for _ in 0..40 {
        q.append(piece.len(), |out| out.extend_from_slice(&piece));
    }
    assert_eq!(q.mem_bytes(), 40 * 1300);
    let chunks: Vec<(usize, usize)> = q
        .items
        .iter()
        .map(|item| match item {
            Item::Bytes { data, .. } => (data.len(), data.capacity()),
            _ => panic!("only bytes were queued"),
        })
        .collect();
    assert_eq!(chunks.len(), 4, "{chunks:?}");
    for (len, capacity) in &chunks {
        assert!(*len <= COALESCE_MAX_BYTES, "{chunks:?}");
        assert!(*capacity <= 2 * COALESCE_MAX_BYTES, "{chunks:?}");
    }
}

/// `append` writes into the open tail chunk in place, starts a new chunk
/// behind a mark, and queues nothing when nothing was written.
#[test]
fn append_writes_into_the_open_tail() {
    let mut q = WriteQueue::new();
    q.append(8, |out| out.extend_from_slice(b"ab"));
    assert_eq!(q.append(8, |out| out.len()), 2);
    q.append(8, |out| out.extend_from_slice(b"cd"));
    assert_eq!((q.items.len(), q.mem_bytes()), (1, 4));
    q.push_mark();
    q.append(8, |_| ());
    q.append(8, |out| out.extend_from_slice(b"ef"));
    assert_eq!((q.items.len(), q.mem_bytes()), (3, 6));
    let (mut a, mut b) = Unix::pair();
    let mut marks = vec![];
    assert_eq!(q.flush(&mut a, &mut marks).unwrap(), FlushOutcome::Drained);
    drop(a);
    let mut got = String::new();
    b.read_to_string(&mut got).unwrap();
    assert_eq!(got, "abcdef");
    assert_eq!(marks, vec![4]);
}

/// A stream's pulls are bounded per flush (a pull is the producer's work,
/// say compressing a slice), so a socket that never fills still yields the
/// turn after a few pulls, and the rest comes next turn.
#[test]
fn stream_pulls_are_bounded_per_flush() {
    let pieces: Vec<io::Result<Vec<u8>>> = (0..10).map(|i| Ok(vec![b'0' + i as u8])).collect();
    let (mut t, wire) = Fake::new();
    let mut q = WriteQueue::new();
    q.push_stream(Stream {
        iter: Box::new(pieces.into_iter()),
        frame: |piece, out| out.extend_from_slice(piece),
        trailer: b"",
    });
    let mut marks = vec![];
    let per_turn = STREAM_PULLS_PER_FLUSH;
    assert_eq!(q.flush(&mut t, &mut marks).unwrap(), FlushOutcome::Budget);
    assert_eq!(wire.borrow().output.len(), per_turn);
    while q.flush(&mut t, &mut marks).unwrap() == FlushOutcome::Budget {}
    assert_eq!(wire.borrow().output, b"0123456789");
    assert!(q.is_empty());
}
