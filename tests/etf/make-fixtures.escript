#!/usr/bin/env escript
%% -*- erlang -*-
%% SPDX-License-Identifier: LGPL-2.1-or-later
%%
%% Writes the ETF conformance fixtures of tests/test-etf.c with Erlang's
%% own term_to_binary/2 (Debian: erlang-base):
%%
%%   NAME.etf     an external term
%%   NAME.json    what the library must read it as, written here from the
%%                term by the rules of dgateway/dgateway-etf-private.h,
%%                independently of the C reader
%%   bad-NAME.etf a term the reader must reject
%%
%%   tests/etf/make-fixtures.escript [DIRECTORY]   (default: beside it)
%%
%% Maps are written with the deterministic option, which orders their
%% keys in Erlang's term order, as the JSON members are ordered here.

%% Compiled, so that the fun of bad-fun is a small one of this module.
-mode(compile).

main([]) -> main([filename:dirname(escript:script_name())]);
main([Dir]) ->
    [write(Dir, Name, Term, Options) || {Name, Term, Options} <- cases()],
    [write_bad(Dir, Name, Bytes) || {Name, Bytes} <- bad_cases()],
    ok.

write(Dir, Name, Term, Options) ->
    Etf = term_to_binary(Term, [deterministic | Options]),
    ok = file:write_file(filename:join(Dir, Name ++ ".etf"), Etf),
    ok = file:write_file(filename:join(Dir, Name ++ ".json"), [json(Term), $\n]).

write_bad(Dir, Name, Bytes) ->
    ok = file:write_file(filename:join(Dir, "bad-" ++ Name ++ ".etf"), Bytes).

%% The expected JSON reading of a term.

json(nil) -> "null";
json(null) -> "null";
json(true) -> "true";
json(false) -> "false";
json(A) when is_atom(A) -> string(atom_to_binary(A, utf8));
json(B) when is_binary(B) -> string(B);
json(I) when is_integer(I), abs(I) >= 1 bsl 32 -> string(integer_to_binary(I));
json(I) when is_integer(I) -> integer_to_list(I);
json(F) when is_float(F) -> float_to_list(F, [short]);
json(T) when is_tuple(T) -> json(tuple_to_list(T));
json(L) when is_list(L) -> [$[, join([json(E) || E <- L]), $]];
json(M) when is_map(M) ->
    Members = [[key(K), $:, json(V)] || {K, V} <- lists:sort(maps:to_list(M))],
    [${, join(Members), $}].

key(K) when is_atom(K) -> string(atom_to_binary(K, utf8));
key(K) when is_binary(K) -> string(K).

join([]) -> [];
join([First | Rest]) -> [First | [[$, | E] || E <- Rest]].

%% A string ends at its first NUL, as a "\u0000" in JSON does.
string(B) ->
    [Text | _] = binary:split(B, <<0>>),
    [$", [escape(C) || <<C>> <= Text], $"].

escape($") -> "\\\"";
escape($\\) -> "\\\\";
escape(C) when C < 16#20 -> io_lib:format("\\u~4.16.0b", [C]);
escape(C) -> C.

%% The cases.

snowflake(N) -> 41771983423143937 + N * 4194304 * 1009.

user(N) ->
    #{<<"id">> => snowflake(N), <<"username">> => <<"user", (integer_to_binary(N))/binary>>,
      <<"global_name">> => <<"Üser "/utf8, (integer_to_binary(N))/binary, " 🎮"/utf8>>,
      <<"discriminator">> => <<"0">>, <<"avatar">> => nil, <<"public_flags">> => 64,
      <<"bot">> => false}.

message_create() ->
    #{<<"op">> => 0, <<"s">> => 42, <<"t">> => <<"MESSAGE_CREATE">>,
      <<"d">> => #{<<"id">> => snowflake(1000), <<"channel_id">> => snowflake(7),
                   <<"guild_id">> => snowflake(3), <<"author">> => user(5),
                   <<"member">> => #{<<"roles">> => [snowflake(20), snowflake(21)],
                                     <<"joined_at">> => <<"2021-04-01T12:00:00.000000+00:00">>,
                                     <<"nick">> => nil, <<"deaf">> => false, <<"mute">> => false,
                                     <<"flags">> => 0},
                   <<"content">> => <<"héllo wörld 🎉 日本語 \"quoted\" back\\slash\ttab\nline"/utf8>>,
                   <<"timestamp">> => <<"2024-05-01T10:20:30.456000+00:00">>,
                   <<"edited_timestamp">> => nil, <<"tts">> => false,
                   <<"mention_everyone">> => false, <<"mentions">> => [user(6)],
                   <<"mention_roles">> => [], <<"attachments">> => [], <<"embeds">> => [],
                   <<"nonce">> => <<"1234567890123456789">>, <<"pinned">> => false,
                   <<"type">> => 0, <<"flags">> => 0}}.

%% As Discord sends its own payloads: atom keys, the event name an atom.
ready() ->
    #{op => 0, s => 1, t => 'READY',
      d => #{v => 10, user => #{id => snowflake(1), username => <<"Nelly">>, bot => true,
                                avatar => nil, discriminator => <<"0">>, flags => 0,
                                verified => true, mfa_enabled => false},
             guilds => [#{id => snowflake(100 + N), unavailable => true} || N <- lists:seq(1, 12)],
             session_id => <<"d5b7af1cbf0a1a4d6a0bfad7e3e51a24">>,
             resume_gateway_url => <<"wss://gateway-us-east1-b.discord.gg">>,
             shard => [0, 1], private_channels => [],
             application => #{id => snowflake(2), flags => 8667136},
             '_trace' => [<<"[\"gateway-prd-us-east1-b-0568\",{\"micros\":0.0}]">>]}}.

guild_create() ->
    Role = fun(N) -> #{id => snowflake(200 + N), name => <<"role ", (integer_to_binary(N))/binary>>,
                       permissions => <<"1071698660929">>, position => N, color => 16#1abc9c,
                       hoist => false, managed => false, mentionable => true, icon => nil,
                       flags => 0} end,
    Member = fun(N) -> #{user => user(N), roles => [snowflake(200 + N rem 5)],
                         joined_at => <<"2022-01-01T00:00:00.000000+00:00">>,
                         deaf => false, mute => false, nick => nil} end,
    #{op => 0, s => 2, t => 'GUILD_CREATE',
      d => #{id => snowflake(3), name => <<"Ünïcode guild ✨"/utf8>>, member_count => 40,
             large => false, joined_at => <<"2022-01-01T00:00:00.000000+00:00">>,
             roles => [Role(N) || N <- lists:seq(0, 9)],
             members => [Member(N) || N <- lists:seq(1, 40)],
             channels => [#{id => snowflake(300 + N), type => 0, position => N,
                            name => <<"chan-", (integer_to_binary(N))/binary>>,
                            permission_overwrites => [], nsfw => false,
                            rate_limit_per_user => 0, topic => nil} || N <- lists:seq(1, 20)],
             presences => [#{user => #{id => snowflake(N)}, status => online,
                             activities => [#{name => <<"a game">>, type => 0,
                                              created_at => 1714557630456,
                                              timestamps => #{start => 1714557000000}}]}
                           || N <- lists:seq(1, 5)]}}.

%% deep(N) nests N + 1 lists.
deep(0) -> [];
deep(N) -> [deep(N - 1)].

cases() ->
    Utf8Atoms = [{minor_version, 2}],
    [{"message-create", message_create(), []},
     {"ready", ready(), []},
     {"ready-utf8-atoms", ready(), Utf8Atoms},
     {"guild-create", guild_create(), []},
     {"hello", #{op => 10, s => nil, t => nil,
                 d => #{heartbeat_interval => 41250, '_trace' => [<<"[\"gateway\"]">>]}}, []},
     {"heartbeat-ack", #{op => 11, s => nil, t => nil, d => nil}, []},
     {"heartbeat-ack-binary-keys", #{<<"op">> => 11, <<"d">> => nil}, []},
     {"invalid-session", #{op => 9, d => false, s => nil, t => nil}, []},
     {"reconnect", #{op => 7, d => nil}, []},
     {"atoms", [nil, true, false, null, online, 'MESSAGE_CREATE', '', 'héllo', 'a b'], []},
     {"atoms-utf8", [nil, true, false, online, 'héllo', '日本'], Utf8Atoms},
     {"integers", [0, 1, 255, 256, -1, -256, 65535, 2147483647, -2147483648,
                   2147483648, -2147483649, 4294967295, -4294967295], []},
     {"big-integers", [4294967296, -4294967296, 1 bsl 40, 9007199254740993,
                       (1 bsl 63) - 1, 1 bsl 63, -(1 bsl 63), -(1 bsl 63) - 1,
                       (1 bsl 64) - 1, 1 bsl 64, -(1 bsl 64), 1 bsl 100,
                       -(1 bsl 200) + 7, 1 bsl 2039], []},
     {"snowflakes", #{<<"id">> => 175928847299117063, <<"channel_id">> => 1228395092483751936,
                      <<"guild_id">> => 41771983423143937,
                      <<"ids">> => [snowflake(N) || N <- lists:seq(1, 30)]}, []},
     {"floats", [0.0, -0.0, 0.1, 1.5, -2.5e-300, 1.0e300, 3.141592653589793,
                 123456789.125, 5.0e-324, 1.7976931348623157e308], []},
     {"floats-old-format", [0.0, 0.1, -1.5, 1.0e300, 123456789.125], [{minor_version, 0}]},
     {"binaries", [<<>>, <<"plain">>, <<"héllo wörld 🎉 日本語 𝄞"/utf8>>,
                   <<"tab\there\nnew \"q\" \\ \r\f\b", 1, 31, 127>>,
                   <<"before nul", 0, "after">>, <<0>>], []},
     {"lists", [[], [1, 2, 3], "hello", [1000, 2000], lists:seq(0, 299), lists:seq(1, 200),
                [<<"a">>, nil, true, 1.5, [[]]], {1, <<"a">>, nil}, {}], []},
     {"maps", #{<<"empty">> => #{}, <<"nested">> => #{<<"a">> => #{<<"b">> => #{<<"c">> => [#{}]}}},
                <<"">> => <<"empty key">>, <<"ünï"/utf8>> => 1}, []},
     {"map-atom-keys", #{nil => 1, true => 2, false => 3, 'héllo' => 4, '日本' => 5, a => #{}}, []},
     {"map-mixed-keys", #{a => 1, <<"b">> => 2, c => 3, <<"d">> => 4}, []},
     {"map-large", maps:from_list([{<<"key", (integer_to_binary(N))/binary>>, N}
                                   || N <- lists:seq(1, 100)]), []},
     {"array-of-objects", [#{<<"i">> => N, <<"o">> => #{<<"x">> => [N]}} || N <- lists:seq(1, 20)], []},
     {"deep-64", deep(63), []},
     {"top-binary", <<"just a string">>, []},
     {"top-integer", 7, []}].

bad_cases() ->
    [{"compressed", term_to_binary(message_create(), [compressed])},
     {"pid", term_to_binary(self())},
     {"reference", term_to_binary(erlang:list_to_ref("#Ref<0.1.2.3>"))},
     %% Only the head of a fun: the rest names the process that made it,
     %% which changes from run to run. The reader stops at the tag.
     {"fun", binary:part(term_to_binary(fun(X) -> X end), 0, 2)},
     {"export", term_to_binary(fun erlang:abs/1)},
     {"port", term_to_binary(hd(erlang:ports()))},
     {"bitstring", term_to_binary(<<1:3>>)},
     {"improper-list", term_to_binary([1, 2 | 3])},
     {"integer-key", term_to_binary(#{1 => 2})},
     {"tuple-key", term_to_binary(#{{a} => 2})},
     {"invalid-utf8", term_to_binary(<<"bad ", 255, " byte">>)},
     {"invalid-utf8-key", term_to_binary(#{<<192, 128>> => 1})},
     {"surrogate", term_to_binary(<<16#ed, 16#a0, 16#80>>)},
     {"deep-65", term_to_binary(deep(64))},
     {"huge-integer", term_to_binary(1 bsl 2040)},
     {"trailing-data", <<(term_to_binary(1))/binary, 0>>},
     {"version", <<130, 97, 1>>},
     {"empty", <<>>},
     {"version-only", <<131>>}].
