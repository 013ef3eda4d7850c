//! Function libraries on the scripts' VM (FUNCTION LOAD, FCALL), as Redis 7.0's
//! function_lua.c: a library's body runs once per VM with the loading API only
//! (library.lua), within Redis's 500 ms load budget, and registers functions that FCALL then
//! runs like scripts (same budget, memory limit and error shapes, named by function). Which
//! libraries exist, and the checks between them, are the JS side's (lib/commands/functions.ts):
//! here a VM only evaluates bodies and keeps the functions of the libraries it is told to.

use std::collections::HashMap;
use std::time::Duration;

use mlua::{ChunkMode, Function, Lua, Table, Value};

use super::{Abort, Host, Out, RunOutcome};

const LIBRARY: &str = include_str!("library.lua");
/// Redis's LOAD_TIMEOUT_MS: a body that runs longer fails to load.
const LOAD_TIMEOUT: Duration = Duration::from_millis(500);

/// One function a library registered: what FUNCTION LIST shows of it.
#[derive(Debug, Clone, PartialEq)]
pub struct Registered {
    pub name: String,
    pub description: Option<Vec<u8>>,
    /// Redis's flag names, in Redis's order.
    pub flags: Vec<String>,
}

pub(super) struct Libraries {
    /// The globals of every library's code (library.lua's `env`).
    env: Table,
    load: Function,
    finish: Function,
    invoke: Function,
    slot: Table,
    /// Library name -> its functions by name.
    installed: HashMap<String, HashMap<String, Function>>,
}

/// Build library.lua's machinery from the sandbox's internals.
pub(super) fn setup(lua: &Lua, internals: Table) -> mlua::Result<Libraries> {
    let api: Table = lua.load(LIBRARY).set_name("=marekvs").set_mode(ChunkMode::Text).call(internals)?;
    Ok(Libraries {
        env: api.get("env")?,
        load: api.get("load")?,
        finish: api.get("finish")?,
        invoke: api.get("invoke")?,
        slot: api.get("slot")?,
        installed: HashMap::new(),
    })
}

/// How Redis words a body's error (luaExtractErrorInformation): a string gets ERR, an error
/// table is its `err` field.
fn load_error_text(value: &Value) -> String {
    match value {
        Value::String(s) => format!("ERR {}", s.to_string_lossy()),
        Value::Integer(i) => format!("ERR {}", i),
        Value::Number(n) => format!("ERR {}", super::lua_number_text(*n)),
        Value::Table(t) => match t.get::<Value>("err") {
            Ok(Value::String(s)) => s.to_string_lossy().to_string(),
            _ => "(null)".to_string(),
        },
        _ => "(null)".to_string(),
    }
}

fn registered(list: Table) -> mlua::Result<(Vec<Registered>, HashMap<String, Function>)> {
    let mut infos = Vec::new();
    let mut functions = HashMap::new();
    for fn_table in list.sequence_values::<Table>() {
        let fn_table = fn_table?;
        let name: String = fn_table.get("name")?;
        let description = match fn_table.get::<Value>("description")? {
            Value::String(s) => Some(s.as_bytes().to_vec()),
            _ => None,
        };
        let flags: Vec<String> = fn_table.get::<Table>("flags")?.sequence_values::<String>().collect::<mlua::Result<_>>()?;
        functions.insert(name.clone(), fn_table.get::<Function>("callback")?);
        infos.push(Registered { name, description, flags });
    }
    Ok((infos, functions))
}

impl Host {
    /// Compile and run a library's body (its code after the `#!lua` line, from that line's
    /// newline on, so line numbers are the code's): the functions it registered, or the whole
    /// error reply as Redis words it. With `install`, they become that library's functions in
    /// this VM (replacing the ones it had); without, nothing is kept (a check). `call` serves
    /// redis.log.
    pub fn load_library(
        &mut self,
        body: &[u8],
        install: Option<&str>,
        call: &mut dyn FnMut(u32, &[&[u8]], bool) -> Result<Vec<u8>, String>,
    ) -> Result<Vec<Registered>, String> {
        let chunk = self
            .lua
            .load(body)
            .set_name("@user_function")
            .set_mode(ChunkMode::Text)
            .set_environment(self.libraries.env.clone())
            .into_function()
            .map_err(|e| match e {
                mlua::Error::SyntaxError { message, .. } => format!("ERR Error compiling function: {}", message),
                mlua::Error::MemoryError(_) => "ERR Error compiling function: not enough memory".to_string(),
                other => format!("ERR Error compiling function: {}", other),
            })?;
        let slot = self.libraries.slot.clone();
        let load = self.libraries.load.clone();
        self.run_state.failure.set(None);
        self.hook.start(LOAD_TIMEOUT);
        // (begin arms the count hook; the slot's KEYS and ARGV are unused here.)
        let result = self.with_call(call, |host| host.begin(&slot, &[], &[]).and_then(|()| load.call::<(bool, Value)>(chunk)));
        self.hook.stop();
        // A load is not a run: what it spent must not pass for the next run's (take_run_cpu).
        self.hook.take_spent();
        let timed_out = self.hook.fired();
        let list = self.libraries.finish.call::<Table>(());
        self.end(&slot);
        let outcome = match (result, list) {
            _ if timed_out => Err("ERR FUNCTION LOAD timeout".to_string()),
            _ if self.run_state.failure.get().is_some() => Err("ERR redis.log failed".to_string()),
            (Err(mlua::Error::MemoryError(_)), _) | (_, Err(mlua::Error::MemoryError(_))) => Err("ERR not enough memory".to_string()),
            (Err(e), _) | (_, Err(e)) => Err(format!("ERR {}", e)),
            (Ok((false, value)), _) => Err(load_error_text(&value)),
            (Ok((true, _)), Ok(list)) => registered(list).map_err(|e| format!("ERR {}", e)),
        };
        if self.lua.used_memory() > self.memory_limit / 2 {
            self.collect();
        }
        let (infos, functions) = outcome.map_err(|text| format!("ERR Error registering functions: {}", text))?;
        if let Some(name) = install {
            self.libraries.installed.insert(name.to_string(), functions);
        }
        Ok(infos)
    }

    /// Forget a library's functions (FUNCTION DELETE, FLUSH, or a library gone from the store).
    pub fn remove_library(&mut self, name: &str) {
        self.libraries.installed.remove(name);
    }

    /// Run function `name` of library `library` (FCALL): as `run` runs a script, with KEYS and
    /// ARGV as the function's arguments.
    pub fn run_function(
        &mut self,
        library: &str,
        name: &str,
        keys: &[&[u8]],
        args: &[&[u8]],
        time_limit_ms: u64,
        call: &mut dyn FnMut(u32, &[&[u8]], bool) -> Result<Vec<u8>, String>,
    ) -> RunOutcome {
        let func = match self.libraries.installed.get(library).and_then(|functions| functions.get(name)) {
            Some(func) => func.clone(),
            None => return RunOutcome { reply: Out::Error(b"ERR Function not found".to_vec()), abort: None },
        };
        let slot = self.libraries.slot.clone();
        if slot.raw_set("f", func).is_err() {
            return self.aborted(Abort::Memory, time_limit_ms);
        }
        let invoke = self.libraries.invoke.clone();
        let outcome = self.execute(invoke, name, &slot, keys, args, time_limit_ms, call);
        let _ = slot.raw_set("f", Value::Nil);
        outcome
    }
}

#[cfg(test)]
mod tests {
    use super::super::sha1_hex;
    use super::*;
    use std::time::Instant;

    fn host() -> Host {
        Host::new(64 * 1024 * 1024).unwrap()
    }

    fn no_calls(_mode: u32, _argv: &[&[u8]], _resp3: bool) -> Result<Vec<u8>, String> {
        Ok(b"+OK\r\n".to_vec())
    }

    fn load(h: &mut Host, body: &str, install: Option<&str>) -> Result<Vec<Registered>, String> {
        h.load_library(body.as_bytes(), install, &mut no_calls)
    }

    #[test]
    fn registers_functions_in_both_forms() {
        let mut h = host();
        let infos = load(
            &mut h,
            "\nredis.register_function('a', function(k, a) return 1 end)\n\
             redis.register_function{function_name='b', callback=function() end, flags={'ALLOW-OOM', 'no-writes'}, description='d'}",
            None,
        )
        .unwrap();
        assert_eq!(
            infos,
            vec![
                Registered { name: "a".into(), description: None, flags: vec![] },
                Registered { name: "b".into(), description: Some(b"d".to_vec()), flags: vec!["no-writes".into(), "allow-oom".into()] },
            ]
        );
    }

    #[test]
    fn load_errors_are_redis_replies() {
        let mut h = host();
        assert_eq!(load(&mut h, "\nreturn 1 +", None), Err("ERR Error compiling function: user_function:2: unexpected symbol near '<eof>'".into()));
        assert_eq!(
            load(&mut h, "\nredis.call('ping')", None),
            Err("ERR Error registering functions: ERR user_function:2: Script attempted to access nonexistent global variable 'call'".into())
        );
        assert_eq!(load(&mut h, "\nx = 1", None), Err("ERR Error registering functions: ERR user_function:2: Attempt to modify a readonly table".into()));
        assert_eq!(
            load(&mut h, "\nredis.register_function('a', function() end)\nredis.register_function('a', function() end)", None),
            Err("ERR Error registering functions: ERR Function already exists in the library".into())
        );
        assert_eq!(load(&mut h, "\nredis.register_function()", None), Err("ERR Error registering functions: ERR wrong number of arguments to redis.register_function".into()));
        let started = Instant::now();
        assert_eq!(load(&mut h, "\nwhile true do end", None), Err("ERR Error registering functions: ERR FUNCTION LOAD timeout".into()));
        assert!(started.elapsed() < Duration::from_secs(2));
        // The VM is back to normal: scripts see their globals again.
        let sha = sha1_hex(b"return type(string)");
        h.load(&sha, b"return type(string)").unwrap();
        assert_eq!(h.run(&sha, &[], &[], 1000, &mut no_calls).reply, Out::Bulk(b"table".to_vec()));
    }

    #[test]
    fn runs_installed_functions_with_keys_and_args() {
        let mut h = host();
        load(&mut h, "\nredis.register_function('f', function(keys, args) return {keys[1], args[1], #args} end)\nredis.register_function('e', function() error('boom') end)", Some("lib")).unwrap();
        let out = h.run_function("lib", "f", &[b"k"], &[b"a", b"b"], 1000, &mut no_calls);
        assert_eq!(out.reply, Out::Array(vec![Out::Bulk(b"k".to_vec()), Out::Bulk(b"a".to_vec()), Out::Int(2)]));
        let out = h.run_function("lib", "e", &[], &[], 1000, &mut no_calls);
        assert_eq!(out.reply, Out::Error(b"ERR user_function:3: boom script: e, on @user_function:3.".to_vec()));
        let out = h.run_function("lib", "x", &[], &[], 1000, &mut no_calls);
        assert_eq!(out.reply, Out::Error(b"ERR Function not found".to_vec()));
        h.remove_library("lib");
        assert_eq!(h.run_function("lib", "f", &[], &[], 1000, &mut no_calls).reply, Out::Error(b"ERR Function not found".to_vec()));
    }

    #[test]
    fn a_body_past_the_memory_limit_fails_to_load_and_the_vm_recovers() {
        let mut h = Host::new(16 * 1024 * 1024).unwrap();
        let out = load(&mut h, "\nlocal t = {} for i = 1, 1e9 do t[i] = {i} end", None);
        assert_eq!(out, Err("ERR Error registering functions: ERR not enough memory".into()));
        assert!(h.used_memory() < 8 * 1024 * 1024);
        assert!(load(&mut h, "\nredis.register_function('f', function() return 1 end)", Some("lib")).is_ok());
    }

    #[test]
    fn functions_are_stopped_by_the_budget() {
        let mut h = host();
        load(&mut h, "\nredis.register_function('spin', function() while true do end end)", Some("lib")).unwrap();
        let out = h.run_function("lib", "spin", &[], &[], 30, &mut no_calls);
        assert_eq!(out.abort, Some(Abort::Timeout));
    }
}
