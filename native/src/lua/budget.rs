//! The script's time budget, counted in CPU time of the thread that runs it.
//!
//! Not in wall-clock time: under `redis-benchmark -c 50` on a 2-core machine, a token-bucket
//! script that needs about 0.1 ms of CPU took 20-40 ms of wall time now and then because the
//! OS had given its thread's CPU to another thread (one or two involuntary context switches in
//! the run), and a wall-clock budget of 20 ms killed it (docs/scripting.md, "Time, memory and
//! stack bounds"). The thread's CPU time counts what the script makes the thread do (Lua, the
//! commands it calls, a V8 GC pause on the way) and not the time it waited for a CPU.
//!
//! The wall clock still bounds a run, at the budget plus OFF_CPU_ALLOWANCE: on a machine so
//! loaded that a runaway script gets half a CPU, its budget of CPU time would hold its shard's
//! other clients twice the budget; and a script blocked in the kernel (reads that miss the page
//! cache) spends wall time without CPU time.
//!
//! Reading the thread's CPU clock is a system call (0.25-0.37 µs here, the monotonic clock
//! 0.02 µs), so the checks look at the wall clock first: a thread cannot have used more CPU
//! time than wall time has passed, so before the wall deadline the budget cannot be spent. For
//! the same reason a run shorter than EXACT_ABOVE in wall time reports that wall time as what it
//! spent: an upper bound, read without the second system call.

use std::cell::Cell;
use std::time::{Duration, Instant};

/// Wall time a run may take past its budget while its thread waits for a CPU (or in the
/// kernel). The longest wait measured in an ordinary run was 117 ms, with two CPU-bound
/// processes beside the benchmark (load 8.6; docs/scripting.md): this leaves about twice that,
/// and keeps a runaway's wall time within the budget plus 200 ms at any load.
const OFF_CPU_ALLOWANCE: Duration = Duration::from_millis(200);

/// Runs that take at least this much wall time report the CPU time they spent, shorter ones
/// their wall time. Well below what the engine counts as a slow run (200 µs,
/// engine/inline-policy.ts), so every run it may count reads the CPU clock at both ends.
const EXACT_ABOVE: Duration = Duration::from_micros(100);

pub struct Budget {
    /// Before this instant the budget cannot be spent (CPU time never outruns wall time).
    wall_deadline: Cell<Option<Instant>>,
    /// At this instant the run is stopped whatever CPU time it used.
    wall_cap: Cell<Instant>,
    /// The thread CPU time at which the budget is spent.
    cpu_deadline: Cell<Duration>,
    fired: Cell<bool>,
    /// The thread CPU time and the instant the run started, and what it spent once stopped (take_spent).
    started_cpu: Cell<Duration>,
    started: Cell<Instant>,
    spent: Cell<Option<Duration>>,
}

impl Budget {
    pub fn new() -> Budget {
        Budget {
            wall_deadline: Cell::new(None),
            wall_cap: Cell::new(Instant::now()),
            cpu_deadline: Cell::new(Duration::ZERO),
            fired: Cell::new(false),
            started_cpu: Cell::new(Duration::ZERO),
            started: Cell::new(Instant::now()),
            spent: Cell::new(None),
        }
    }

    /// A run starts with `limit` to spend.
    pub fn start(&self, limit: Duration) {
        self.fired.set(false);
        let cpu = thread_cpu_time();
        self.started_cpu.set(cpu);
        self.cpu_deadline.set(cpu + limit);
        let now = Instant::now();
        self.started.set(now);
        self.wall_deadline.set(Some(now + limit));
        self.wall_cap.set(now + limit + OFF_CPU_ALLOWANCE);
    }

    /// The run is over: nothing expires until the next start.
    pub fn stop(&self) {
        self.wall_deadline.set(None);
        let wall = self.started.get().elapsed();
        let spent = if wall < EXACT_ABOVE { wall } else { thread_cpu_time().saturating_sub(self.started_cpu.get()) };
        self.spent.set(Some(spent));
    }

    /// The thread CPU time the last run spent (its wall time if under EXACT_ABOVE), once (zero
    /// when none ran since the last take).
    pub fn take_spent(&self) -> Duration {
        self.spent.take().unwrap_or(Duration::ZERO)
    }

    /// Past the budget; once true, true until the next start.
    pub fn expired(&self) -> bool {
        if self.fired.get() {
            return true;
        }
        let now = Instant::now();
        if matches!(self.wall_deadline.get(), Some(d) if now >= d) && (now >= self.wall_cap.get() || thread_cpu_time() >= self.cpu_deadline.get()) {
            self.fired.set(true);
        }
        self.fired.get()
    }

    /// Whether the last run spent its budget.
    pub fn fired(&self) -> bool {
        self.fired.get()
    }
}

#[cfg(unix)]
pub fn thread_cpu_time() -> Duration {
    let mut ts = libc::timespec { tv_sec: 0, tv_nsec: 0 };
    // SAFETY: clock_gettime only writes the timespec it is given.
    let rc = unsafe { libc::clock_gettime(libc::CLOCK_THREAD_CPUTIME_ID, &mut ts) };
    if rc != 0 {
        return wall_time();
    }
    Duration::new(ts.tv_sec as u64, ts.tv_nsec as u32)
}

/// Where the thread CPU clock is missing (not a Unix, or a kernel that refuses it): the wall
/// clock, as before. A thread gets the same answer every time, so one run never mixes clocks.
#[cfg(not(unix))]
pub fn thread_cpu_time() -> Duration {
    wall_time()
}

fn wall_time() -> Duration {
    static EPOCH: std::sync::OnceLock<Instant> = std::sync::OnceLock::new();
    EPOCH.get_or_init(Instant::now).elapsed()
}
