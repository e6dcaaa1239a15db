//! The many-document pipeline: items (documents to read) are worked on by a few threads at
//! once, and their results handed on in the input order as soon as every earlier one is in.
//! At most `workers` items are being worked on, and at most `window` results wait for an
//! earlier, slower one, so memory depends on the largest document, not on how many there are.
//!
//! The workers are not threads of rayon's shared pool: the work of one item may itself use rayon
//! (a document's blocks are normalised in parallel), and a worker of the shared pool waiting
//! for that would steal and start another document, so the number in flight would no longer be
//! bounded. With two workers or more, each is the one thread of a rayon pool of its own, so an
//! item's parallel steps run on it in turn (see [`own_pool`]).

use std::collections::BTreeMap;
use std::sync::{Condvar, Mutex};

/// How many items at once, and how many finished results may wait for an earlier one.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Bounds {
    pub workers: usize,
    pub window: usize,
}

impl Bounds {
    /// One worker per rayon thread (the cores, or `RAYON_NUM_THREADS`), and four results each
    /// may wait, so a slow document does not leave the other cores idle.
    pub fn for_this_machine() -> Bounds {
        let workers = rayon::current_num_threads().max(1);
        Bounds {
            workers,
            window: workers * 4,
        }
    }
}

/// A lock that a panicked worker did not leave unusable (the panic is re-raised by the scope).
fn lock<S>(m: &Mutex<S>) -> std::sync::MutexGuard<'_, S> {
    m.lock().unwrap_or_else(|e| e.into_inner())
}

/// What the workers share: the next item to take, and the results not yet handed on.
struct State<Items, T> {
    items: std::iter::Enumerate<Items>,
    /// Index of the next result to hand on.
    next_out: usize,
    waiting: BTreeMap<usize, T>,
    /// Set when `sink` failed: no further item is taken.
    stopped: bool,
}

/// Runs `work` on every item with at most `bounds.workers` at once and gives each result to
/// `sink` in the order of `items`. If `sink` returns an error no further item is started and
/// the error is returned (the items in flight are finished and dropped). `items` is taken one at
/// a time: it may be part of a longer list (no copy of it is made).
pub fn for_each_ordered<I, T, E>(
    items: impl IntoIterator<Item = I, IntoIter: Send>,
    bounds: Bounds,
    work: impl Fn(I) -> T + Sync,
    sink: impl FnMut(T) -> Result<(), E> + Send,
) -> Result<(), E>
where
    I: Send,
    T: Send,
    E: Send,
{
    let items = items.into_iter();
    let most = items.size_hint().1.unwrap_or(usize::MAX);
    let workers = bounds.workers.clamp(1, most.max(1));
    let window = bounds.window.max(workers);
    let state = Mutex::new(State {
        items: items.enumerate(),
        next_out: 0,
        waiting: BTreeMap::new(),
        stopped: false,
    });
    // The sink is called under its own lock, so handing results on never blocks taking items.
    let sink = Mutex::new((sink, None::<E>));
    let room = Condvar::new();
    let worker = || {
        loop {
            let (index, item) = {
                let mut s = lock(&state);
                // Wait while the window is full of results waiting for an earlier one.
                while !s.stopped && s.waiting.len() >= window {
                    s = room.wait(s).unwrap_or_else(|e| e.into_inner());
                }
                if s.stopped {
                    return;
                }
                match s.items.next() {
                    Some(next) => next,
                    None => return,
                }
            };
            let result = work(item);
            let mut sink = lock(&sink);
            let ready = {
                let mut s = lock(&state);
                s.waiting.insert(index, result);
                let mut ready = Vec::new();
                while let Some(r) = {
                    let next = s.next_out;
                    s.waiting.remove(&next)
                } {
                    s.next_out += 1;
                    ready.push(r);
                }
                ready
            };
            let (give, failure) = &mut *sink;
            for r in ready {
                if failure.is_none() {
                    if let Err(e) = give(r) {
                        *failure = Some(e);
                        lock(&state).stopped = true;
                    }
                }
            }
            drop(sink);
            room.notify_all();
        }
    };
    std::thread::scope(|scope| {
        for _ in 0..workers {
            scope.spawn(|| match own_pool(workers) {
                Some(pool) => pool.install(worker),
                None => worker(),
            });
        }
    });
    match sink.into_inner().unwrap_or_else(|e| e.into_inner()).1 {
        Some(e) => Err(e),
        None => Ok(()),
    }
}

/// With more than one worker, a pool of one thread for each: the worker runs its items there,
/// so a document's parallel steps (rayon's `par_iter`) run on the worker's own thread, in turn,
/// instead of being handed to the shared pool and waited for, several times a document (each
/// hand-over wakes a thread; over thousands of small documents the cores were a sixth idle).
/// The other workers keep the cores busy. One worker (a single document) keeps the shared pool,
/// so a large document still uses every core. `None` also where no thread can be made: the
/// worker then runs as before.
fn own_pool(workers: usize) -> Option<rayon::ThreadPool> {
    if workers < 2 {
        return None;
    }
    rayon::ThreadPoolBuilder::new().num_threads(1).build().ok()
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::sync::atomic::{AtomicUsize, Ordering};
    use std::time::Duration;

    fn bounds(workers: usize, window: usize) -> Bounds {
        Bounds { workers, window }
    }

    #[test]
    fn with_several_workers_each_runs_its_parallel_steps_on_its_own_thread() {
        let mut seen = Vec::new();
        for_each_ordered(
            (0..20).collect::<Vec<u32>>(),
            bounds(2, 4),
            |_| {
                use rayon::prelude::*;
                let worker = std::thread::current().id();
                // A parallel step inside an item: every piece of it on the worker's thread.
                let threads: Vec<_> = (0..64)
                    .into_par_iter()
                    .map(|_| std::thread::current().id())
                    .collect();
                (
                    rayon::current_num_threads(),
                    threads.iter().all(|&t| t == worker),
                )
            },
            |r| {
                seen.push(r);
                Ok::<(), ()>(())
            },
        )
        .unwrap();
        assert_eq!(seen, vec![(1, true); 20]);
    }

    #[test]
    fn results_come_in_input_order_although_they_finish_out_of_order() {
        let items: Vec<u64> = (0..40).collect();
        let mut seen = Vec::new();
        for_each_ordered(
            items,
            bounds(4, 8),
            |i| {
                // Early items are the slowest, so later ones finish first.
                std::thread::sleep(Duration::from_millis((40 - i) / 4));
                i * 10
            },
            |r| {
                seen.push(r);
                Ok::<(), ()>(())
            },
        )
        .unwrap();
        assert_eq!(seen, (0..40).map(|i| i * 10).collect::<Vec<_>>());
    }

    #[test]
    fn never_more_items_in_flight_than_workers_nor_more_waiting_than_the_window() {
        let in_flight = AtomicUsize::new(0);
        let most = AtomicUsize::new(0);
        let started = AtomicUsize::new(0);
        let handed = AtomicUsize::new(0);
        let most_ahead = AtomicUsize::new(0);
        for_each_ordered(
            (0..60).collect::<Vec<u64>>(),
            bounds(3, 5),
            |i| {
                let now = in_flight.fetch_add(1, Ordering::SeqCst) + 1;
                most.fetch_max(now, Ordering::SeqCst);
                let s = started.fetch_add(1, Ordering::SeqCst) + 1;
                most_ahead.fetch_max(s - handed.load(Ordering::SeqCst), Ordering::SeqCst);
                // Item 0 is slow: the others pile up behind it until the window is full.
                std::thread::sleep(Duration::from_millis(if i == 0 { 60 } else { 1 }));
                in_flight.fetch_sub(1, Ordering::SeqCst);
            },
            |()| {
                handed.fetch_add(1, Ordering::SeqCst);
                Ok::<(), ()>(())
            },
        )
        .unwrap();
        assert_eq!(handed.load(Ordering::SeqCst), 60);
        assert!(most.load(Ordering::SeqCst) <= 3);
        // Started but not handed on: at most the window waiting plus the workers in flight.
        assert!(most_ahead.load(Ordering::SeqCst) <= 5 + 3, "{most_ahead:?}");
    }

    #[test]
    fn an_error_of_the_sink_stops_new_items_and_is_returned() {
        let worked = AtomicUsize::new(0);
        let result = for_each_ordered(
            (0..1000).collect::<Vec<u32>>(),
            bounds(2, 4),
            |i| {
                worked.fetch_add(1, Ordering::SeqCst);
                i
            },
            |i| {
                if i == 3 {
                    Err(format!("item {i}"))
                } else {
                    Ok(())
                }
            },
        );
        assert_eq!(result, Err("item 3".to_string()));
        assert!(worked.load(Ordering::SeqCst) < 1000);
    }

    #[test]
    fn no_items_no_work() {
        let mut calls = 0;
        for_each_ordered(
            Vec::<u8>::new(),
            Bounds::for_this_machine(),
            |i| i,
            |_| {
                calls += 1;
                Ok::<(), ()>(())
            },
        )
        .unwrap();
        assert_eq!(calls, 0);
    }
}
