use super::*;
use std::time::Instant;

fn host() -> Host {
    Host::new(64 * 1024 * 1024).unwrap()
}

/// Run `body` with a callback that answers every command with `reply`.
fn eval_with(host: &mut Host, body: &str, reply: &[u8]) -> RunOutcome {
    let sha = sha1_hex(body.as_bytes());
    host.load(&sha, body.as_bytes()).unwrap();
    let reply = reply.to_vec();
    let mut call = |_mode: u32, _argv: &[&[u8]], _resp3: bool| Ok(reply.clone());
    host.run(&sha, &[b"k1"], &[b"a1", b"a2"], 1000, &mut call)
}

fn eval(body: &str) -> Out {
    eval_with(&mut host(), body, b"+OK\r\n").reply
}

fn err(text: &str) -> Out {
    Out::Error(text.as_bytes().to_vec())
}

#[test]
fn converts_return_values_like_redis() {
    assert_eq!(eval("return 3.7"), Out::Int(3));
    assert_eq!(eval("return -3.7"), Out::Int(-3));
    assert_eq!(eval("return 1e20"), Out::Int(i64::MIN));
    assert_eq!(eval("return 0/0"), Out::Int(i64::MIN));
    assert_eq!(eval("return 'x'"), Out::Bulk(b"x".to_vec()));
    assert_eq!(eval("return true"), Out::Int(1));
    assert_eq!(eval("return false"), Out::Null);
    assert_eq!(eval("return nil"), Out::Null);
    assert_eq!(eval("return {1, 'a', nil, 3}"), Out::Array(vec![Out::Int(1), Out::Bulk(b"a".to_vec())]));
    assert_eq!(eval("return {ok='fine'}"), Out::Status(b"fine".to_vec()));
    assert_eq!(eval("return {err='MY bad'}"), err("MY bad"));
    assert_eq!(eval("return redis.error_reply('x')"), err("ERR x"));
    assert_eq!(eval("return redis.error_reply('-CODE msg')"), err("CODE msg"));
    assert_eq!(eval("redis.setresp(3) return true"), Out::Bool(true));
    assert_eq!(eval("return {double=1.5}"), Out::Double(1.5));
    assert_eq!(eval("return KEYS[1] .. ARGV[2]"), Out::Bulk(b"k1a2".to_vec()));
    assert_eq!(eval("local t = {} t[1] = t return t").clone(), eval("local t = {} t[1] = t return t"));
}

#[test]
fn errors_carry_the_script_position() {
    let sha = sha1_hex(b"return error('boom')");
    assert_eq!(eval("return error('boom')"), err(&format!("ERR user_script:1: boom script: {}, on @user_script:1.", sha)));
    let sha = sha1_hex(b"\nx = 5");
    assert_eq!(eval("\nx = 5"), err(&format!("ERR user_script:2: Attempt to modify a readonly table script: {}, on @user_script:2.", sha)));
    let sha = sha1_hex(b"return y");
    assert_eq!(
        eval("return y"),
        err(&format!("ERR user_script:1: Script attempted to access nonexistent global variable 'y' script: {}, on @user_script:1.", sha))
    );
    let sha = sha1_hex(b"rawset(_G, 'z', 1)");
    assert_eq!(eval("rawset(_G, 'z', 1)"), err(&format!("ERR Attempt to modify a readonly table script: {}, on @user_script:1.", sha)));
}

#[test]
fn redis_call_errors_raise_and_pcall_returns_them() {
    let mut h = host();
    let body = "return redis.call('x')";
    let sha = sha1_hex(body.as_bytes());
    let out = eval_with(&mut h, body, b"-ERR nope\r\n");
    assert_eq!(out.reply, err(&format!("ERR nope script: {}, on @user_script:1.", sha)));
    let out = eval_with(&mut h, "return redis.pcall('x')", b"-WRONGTYPE bad\r\n");
    assert_eq!(out.reply, err("WRONGTYPE bad"));
    let out = eval_with(&mut h, "local ok, e = pcall(redis.call, 'x') return e", b"-ERR nope\r\n");
    assert_eq!(out.reply, Out::Bulk(b"ERR nope".to_vec()));
    let out = eval_with(&mut h, "return redis.pcall()", b"+OK\r\n");
    assert_eq!(out.reply, err("ERR Please specify at least one argument for this redis lib call"));
    let out = eval_with(&mut h, "return redis.pcall('set', {})", b"+OK\r\n");
    assert_eq!(out.reply, err("ERR Lua redis lib command arguments must be strings or integers"));
}

#[test]
fn replies_become_lua_values() {
    let mut h = host();
    let out = eval_with(&mut h, "local r = redis.call('x') return {type(r[1]), r[2], tostring(r[3]), r[4].ok}", b"*4\r\n:5\r\n$1\r\nb\r\n$-1\r\n+OK\r\n");
    assert_eq!(out.reply, Out::Array(vec![Out::Bulk(b"number".to_vec()), Out::Bulk(b"b".to_vec()), Out::Bulk(b"false".to_vec()), Out::Bulk(b"OK".to_vec())]));
    let out = eval_with(&mut h, "redis.setresp(3) local r = redis.call('x') return r.map.a", b"%1\r\n$1\r\na\r\n:7\r\n");
    assert_eq!(out.reply, Out::Int(7));
}

#[test]
fn arguments_are_formatted_as_redis_does() {
    let mut h = host();
    let body = "return redis.call('x', 1, 1.5, 'z', 0.1)";
    let sha = sha1_hex(body.as_bytes());
    h.load(&sha, body.as_bytes()).unwrap();
    let mut seen: Vec<Vec<u8>> = Vec::new();
    let mut call = |_mode: u32, argv: &[&[u8]], _resp3: bool| {
        seen = argv.iter().map(|a| a.to_vec()).collect();
        Ok(b"+OK\r\n".to_vec())
    };
    h.run(&sha, &[], &[], 1000, &mut call);
    assert_eq!(seen, vec![b"x".to_vec(), b"1".to_vec(), b"1.5".to_vec(), b"z".to_vec(), b"0.10000000000000001".to_vec()]);
}

#[test]
fn the_time_budget_stops_loops_even_under_pcall() {
    let mut h = host();
    for body in ["while true do end", "while true do pcall(function() while true do end end) end"] {
        let sha = sha1_hex(body.as_bytes());
        h.load(&sha, body.as_bytes()).unwrap();
        let started = Instant::now();
        let mut call = |_m: u32, _a: &[&[u8]], _r: bool| Ok(b"+OK\r\n".to_vec());
        let out = h.run(&sha, &[], &[], 50, &mut call);
        assert_eq!(out.abort, Some(Abort::Timeout), "{}", body);
        assert!(started.elapsed() < Duration::from_millis(500));
    }
    // The VM still works afterwards.
    assert_eq!(eval_with(&mut h, "return 1", b"+OK\r\n").reply, Out::Int(1));
}

#[test]
fn the_budget_counts_cpu_time_not_time_off_the_cpu() {
    let mut h = host();
    // A redis.call whose thread sleeps (as when the OS runs other threads) uses none of it...
    let body = "redis.call('get', 'k') redis.call('get', 'k') return 1";
    let sha = sha1_hex(body.as_bytes());
    h.load(&sha, body.as_bytes()).unwrap();
    let mut sleeping = |_m: u32, _a: &[&[u8]], _r: bool| {
        std::thread::sleep(Duration::from_millis(30));
        Ok(b"+OK\r\n".to_vec())
    };
    let out = h.run(&sha, &[], &[], 20, &mut sleeping);
    assert_eq!((out.reply, out.abort), (Out::Int(1), None));
    // ...while the CPU a command burns counts: the next redis.call is refused.
    let mut spinning = |_m: u32, _a: &[&[u8]], _r: bool| {
        let started = budget::thread_cpu_time();
        while budget::thread_cpu_time() < started + Duration::from_millis(30) {}
        Ok(b"+OK\r\n".to_vec())
    };
    assert_eq!(h.run(&sha, &[], &[], 20, &mut spinning).abort, Some(Abort::Timeout));
    // Off the CPU for longer than the budget and its allowance (200 ms): stopped all the same.
    let mut stalled = |_m: u32, _a: &[&[u8]], _r: bool| {
        std::thread::sleep(Duration::from_millis(250));
        Ok(b"+OK\r\n".to_vec())
    };
    assert_eq!(h.run(&sha, &[], &[], 20, &mut stalled).abort, Some(Abort::Timeout));
}

#[test]
fn memory_and_recursion_are_bounded() {
    let mut h = Host::new(16 * 1024 * 1024).unwrap();
    // (Not strings that differ in their last bytes only: Lua 5.1's string hash samples them, so
    // they all collide and the loop crawls, in Redis as here.)
    let out = eval_with(&mut h, "local t = {} for i = 1, 1e9 do t[i] = {i, i} end", b"+OK\r\n");
    assert_eq!(out.abort, Some(Abort::Memory));
    let out = eval_with(&mut h, "local s = 'x' while true do s = s .. s end", b"+OK\r\n");
    assert_eq!(out.abort, Some(Abort::Memory));
    let out = eval_with(&mut h, "local function f(n) return f(n + 1) + 1 end return f(1)", b"+OK\r\n");
    assert_eq!(out.abort, Some(Abort::StackOverflow));
    assert_eq!(eval_with(&mut h, "return 2", b"+OK\r\n").reply, Out::Int(2));
}

#[test]
fn sandbox_hides_what_redis_hides() {
    for name in ["os", "io", "print", "dofile", "loadfile", "setfenv", "getfenv", "debug", "require", "newproxy"] {
        let body = format!("return {}", name);
        match eval(&body) {
            Out::Error(e) => assert!(String::from_utf8_lossy(&e).contains("nonexistent global variable"), "{}", name),
            other => panic!("{} visible: {:?}", name, other),
        }
    }
    assert_eq!(eval("return loadstring(string.dump(function() end))"), Out::Null);
    assert!(matches!(eval("string.format = nil"), Out::Error(_)));
    assert!(matches!(eval("getmetatable('').__index = 1"), Out::Error(_)));
    assert_eq!(eval("return string.format('%d', 5)"), Out::Bulk(b"5".to_vec()));
    assert_eq!(eval("return type(getmetatable(_G))"), Out::Bulk(b"table".to_vec()));
    assert_eq!(eval("local n = 0 for k in pairs(redis) do n = n + 1 end return n > 10"), Out::Int(1));
}

#[test]
fn random_follows_redis_rand48() {
    // redis-server 7.0: EVAL "math.randomseed(7) return {math.random(100), math.random(100)}" 0
    let a = eval("math.randomseed(7) return {math.random(100), math.random(100), math.random(1, 6)}");
    let b = eval("math.randomseed(7) return {math.random(100), math.random(100), math.random(1, 6)}");
    assert_eq!(a, b);
}

#[test]
fn shebang_flags() {
    let mut h = host();
    assert_eq!(h.load("a", b"#!python\nreturn 1"), Err("ERR Unexpected engine in script shebang: #!python".to_string()));
    assert_eq!(h.load("b", b"#!lua flags=bogus\nreturn 1"), Err("ERR Unexpected flag in script shebang: bogus".to_string()));
    assert_eq!(h.load("c", b"#!lua name=x\nreturn 1"), Err("ERR Unknown lua shebang option: name=x".to_string()));
    h.load("d", b"#!lua flags=no-writes\nreturn 1").unwrap();
    assert!(h.no_writes("d"));
}



/// `cargo test --release lua::tests::bench_run -- --ignored --nocapture`: the host's own cost per run.
#[test]
#[ignore]
fn bench_run() {
    let mut h = host();
    // A token bucket, as rate limiters write it.
    let bucket = "local capacity, refill, now, cost = tonumber(ARGV[1]), tonumber(ARGV[2]), tonumber(ARGV[3]), tonumber(ARGV[4])
        local state = redis.call('HMGET', KEYS[1], 'tokens', 'ts')
        local tokens = math.min(capacity, (tonumber(state[1]) or capacity) + (now - (tonumber(state[2]) or now)) / 1000 * refill)
        local allowed = 0
        if tokens >= cost then tokens = tokens - cost allowed = 1 end
        redis.call('HSET', KEYS[1], 'tokens', tokens, 'ts', now)
        redis.call('PEXPIRE', KEYS[1], math.ceil(capacity / refill * 1000))
        return {allowed, math.floor(tokens)}".to_string();
    for body in ["return 1", "return redis.call('get', KEYS[1])", "local x = tonumber(ARGV[1]) local y = math.min(x, 5) return y", "redis.call('hset', 'k', 'a', 1.5, 'b', 1700000000000)", bucket.as_str()] {
        let sha = sha1_hex(body.as_bytes());
        h.load(&sha, body.as_bytes()).unwrap();
        let mut call = |_m: u32, a: &[&[u8]], _r: bool| Ok(if a[0] == b"HMGET" { b"*2\r\n$2\r\n10\r\n$13\r\n1700000000000\r\n".to_vec() } else { b":1\r\n".to_vec() });
        let n = 100_000;
        let started = Instant::now();
        for _ in 0..n {
            h.run(&sha, &[b"k1"], &[b"100", b"50", b"1700000000000", b"1"], 1000, &mut call);
        }
        eprintln!("{}: {:?} per run", body, started.elapsed() / n);
    }
}

