#!/usr/bin/env -S gjs -m
// SPDX-License-Identifier: LGPL-2.1-or-later
//
// notifier.js: a desktop notifier for a Discord bot.
//
// A Gio.Application that stays connected to the Discord Gateway and shows a
// notification for each direct message to the bot and each message that
// mentions it: "author in #channel (guild)", with the mentions in the text
// shown as names, all of which a DGateway.Cache of the guilds, their
// channels and their members knows. Clicking a notification opens the
// message in the browser.
//
// The token comes from the keyring, where you can store it with
//
//     secret-tool store --label="Discord bot token" \
//         xdg:schema org.gnome.DGateway.BotToken account default
//
// or else from DISCORD_TOKEN. Without either it plays a conversation on the
// example gateway of the build tree (DGATEWAY_EXAMPLE_GATEWAY, which
// `meson devenv` sets). The client's state and metrics are exported on the
// session bus, under the application's object path:
//
//     gdbus introspect --session --dest org.gnome.DGateway.Example.Notifier \
//         --object-path /org/gnome/DGateway/Example/Notifier/Gateway
//
// Run it with `gjs -m notifier.js`, from the build tree with
// `meson devenv -C _build gjs -m ../examples/notifier.js`.

import GLib from 'gi://GLib';
import Gio from 'gi://Gio';
import GObject from 'gi://GObject';
import DGateway from 'gi://DGateway?version=1';
import System from 'system';

// libsecret is optional: without its typelib, the token comes from the
// environment. (No top-level await here: GJS runs no promise callback while
// a main loop runs inside a module's evaluation.)
let Secret = null;
try {
    imports.gi.versions.Secret = '1';
    Secret = imports.gi.Secret;
} catch {
    Secret = null;
}

const APPLICATION_ID = 'org.gnome.DGateway.Example.Notifier';
const INTENTS = DGateway.Intents.GUILDS | DGateway.Intents.GUILD_MESSAGES |
    DGateway.Intents.DIRECT_MESSAGES | DGateway.Intents.MESSAGE_CONTENT;
// Only what the notifications show: no roles, presences or messages.
const CACHE_FLAGS = DGateway.CacheFlags.GUILDS | DGateway.CacheFlags.CHANNELS |
    DGateway.CacheFlags.MEMBERS;
const MOCK_TOKEN = 'test-token';

function lookupKeyringToken(account) {
    if (!Secret)
        return Promise.resolve(null);

    const schema = new Secret.Schema('org.gnome.DGateway.BotToken',
        Secret.SchemaFlags.NONE, {account: Secret.SchemaAttributeType.STRING});
    return new Promise(resolve => {
        Secret.password_lookup(schema, {account}, null, (_source, result) => {
            try {
                resolve(Secret.password_lookup_finish(result));
            } catch (e) {
                // No Secret Service on this session, or it is locked.
                printerr(`keyring: ${e.message}`);
                resolve(null);
            }
        });
    });
}

// Starts the example gateway and resolves to its URL, its first line.
function startMockGateway() {
    const path = GLib.getenv('DGATEWAY_EXAMPLE_GATEWAY');
    if (!path) {
        throw new Error('no token: store one in the keyring or set DISCORD_TOKEN, ' +
            'or set DGATEWAY_EXAMPLE_GATEWAY to the example gateway (meson devenv does)');
    }

    const mock = Gio.Subprocess.new([path, '--exit-on-stdin-eof'],
        Gio.SubprocessFlags.STDOUT_PIPE | Gio.SubprocessFlags.STDIN_PIPE);
    const lines = Gio.DataInputStream.new(mock.get_stdout_pipe());
    return new Promise((resolve, reject) => {
        lines.read_line_async(GLib.PRIORITY_DEFAULT, null, (_stream, result) => {
            try {
                const [line] = lines.read_line_finish_utf8(result);
                if (!line)
                    throw new Error('the example gateway printed no URL');
                resolve({mock, url: line});
            } catch (e) {
                mock.force_exit();
                reject(e);
            }
        });
    });
}

// The items of a Gio.ListModel, as an array.
function listItems(model) {
    const items = [];
    for (let i = 0; i < model.get_n_items(); i++)
        items.push(model.get_item(i));
    return items;
}

// A user is never null, but a partial one reads as empty strings.
function displayName(user) {
    return user.global_name || user.username || 'Someone';
}

function messageUrl(message) {
    return `https://discord.com/channels/${message.guild_id ?? '@me'}/` +
        `${message.channel_id}/${message.id}`;
}

const Notifier = GObject.registerClass(
class Notifier extends Gio.Application {
    constructor() {
        super({
            application_id: APPLICATION_ID,
            flags: Gio.ApplicationFlags.DEFAULT_FLAGS,
        });

        this._client = null;
        this._cache = null;
        this._mock = null;
        this._botId = null;
        this._notified = 0;
        this._quitAfter = 0;
        this._gatewayUrl = null;
        this._account = 'default';
        this._starting = false;
        this._warnedNoBus = false;
        this.exitStatus = 0;

        this.add_main_option('gateway-url', 0, GLib.OptionFlags.NONE,
            GLib.OptionArg.STRING, 'Connect to this gateway instead of Discord’s', 'URL');
        this.add_main_option('account', 0, GLib.OptionFlags.NONE,
            GLib.OptionArg.STRING, 'The keyring entry of the token (default: “default”)', 'NAME');
        this.add_main_option('quit-after', 0, GLib.OptionFlags.NONE,
            GLib.OptionArg.INT, 'Quit after N notifications', 'N');
        this.add_main_option('timeout', 0, GLib.OptionFlags.NONE,
            GLib.OptionArg.INT, 'Quit after SECONDS seconds', 'SECONDS');

        const open = new Gio.SimpleAction({
            name: 'open',
            parameter_type: new GLib.VariantType('s'),
        });
        open.connect('activate', (_action, uri) => {
            Gio.AppInfo.launch_default_for_uri_async(uri.unpack(), null, null, null);
        });
        this.add_action(open);
    }

    vfunc_handle_local_options(options) {
        const option = name => options.lookup_value(name, null)?.unpack();

        this._gatewayUrl = option('gateway-url') ?? null;
        this._account = option('account') ?? this._account;
        this._quitAfter = option('quit-after') ?? 0;
        const timeout = option('timeout') ?? 0;
        if (timeout > 0) {
            GLib.timeout_add_seconds(GLib.PRIORITY_DEFAULT, timeout, () => {
                if (this._quitAfter > 0)
                    this._fail(`timed out after ${this._notified} of ${this._quitAfter} notifications`);
                else
                    this.quit();
                return GLib.SOURCE_REMOVE;
            });
        }
        return -1;
    }

    vfunc_activate() {
        // A background service: no window keeps it alive, so hold it once.
        if (this._client || this._starting)
            return;
        this._starting = true;
        this.hold();
        this._start().catch(e => this._fail(e.message));
    }

    async _start() {
        let token = await lookupKeyringToken(this._account);
        if (token)
            print('token: from the keyring');
        else if ((token = GLib.getenv('DISCORD_TOKEN')))
            print('token: from DISCORD_TOKEN');

        let url = this._gatewayUrl;
        if (!token) {
            token = MOCK_TOKEN;
            if (!url) {
                const started = await startMockGateway();
                this._mock = started.mock;
                url = started.url;
            }
            print(`token: none, using the gateway at ${url}`);
        }

        this._client = DGateway.Client.new(token, INTENTS);
        if (url)
            this._client.gateway_url = url;
        // Made first, so that it sees every event before the handlers below,
        // which find it up to date.
        this._cache = DGateway.Cache.new(this._client, CACHE_FLAGS);
        // Typed events: a DGateway.Ready, a DGateway.Message.
        this._client.connect('ready', (_client, ready) => {
            this._botId = ready.user.id;
        });
        this._client.connect('message-create', (_client, message) => this._onMessage(message));
        this._client.connect('notify::state', client => {
            const name = GObject.enum_to_string(DGateway.State, client.state);
            print(`state: ${name.replace('DGATEWAY_STATE_', '').toLowerCase()}`);
        });

        // Other programs can watch the connection on the session bus.
        const connection = this.get_dbus_connection();
        if (connection)
            this._client.export(connection, `${this.get_dbus_object_path()}/Gateway`);

        this._client.connect_async(null, (client, result) => {
            try {
                client.connect_finish(result);
            } catch (e) {
                if (!e.matches(Gio.IOErrorEnum, Gio.IOErrorEnum.CANCELLED))
                    this._fail(`could not connect: ${e.message}`);
            }
        });
    }

    _onMessage(message) {
        if (!this._botId || message.author.id === this._botId)
            return;

        // Only guild messages have a guild id.
        const direct = !message.guild_id;
        const mentions = listItems(message.mentions);
        const mentioned = mentions.some(user => user.id === this._botId);
        if (!direct && !mentioned)
            return;

        const notification = new Gio.Notification();
        const title = direct ? `Message from ${displayName(message.author)}` : this._where(message);
        notification.set_title(title);
        // <@id>, <#id> and <@&id> as names.
        const body = this._cache.render_message(message);
        notification.set_body(body);
        notification.set_priority(direct ? Gio.NotificationPriority.HIGH
            : Gio.NotificationPriority.NORMAL);
        notification.set_default_action_and_target('app.open',
            new GLib.Variant('s', messageUrl(message)));

        // One notification per channel: a newer message replaces the older.
        // Without a session bus no notification server can show it (and
        // GLib's fallback backend would emit CRITICALs): print it only.
        if (this.get_dbus_connection()) {
            this.send_notification(`channel-${message.channel_id}`, notification);
        } else if (!this._warnedNoBus) {
            printerr('no session bus: notifications are only printed');
            this._warnedNoBus = true;
        }
        print(`notification: ${title}: ${body}`);

        if (this._quitAfter > 0 && ++this._notified >= this._quitAfter)
            this.quit();
    }

    // "author in #channel (guild)", the author by their name in the guild.
    _where(message) {
        const member = this._cache.lookup_member(message.guild_id, message.author.id);
        const author = member?.get_display_name() ?? displayName(message.author);
        const channel = this._cache.lookup_message_channel(message);
        const guild = this._cache.lookup_message_guild(message);
        if (!channel || !guild)
            return `${author} mentioned your bot`;
        return `${author} in #${channel.name} (${guild.name})`;
    }

    _fail(message) {
        printerr(message);
        this.exitStatus = 1;
        this.quit();
    }

    vfunc_shutdown() {
        this._cache = null;
        if (this._client) {
            this._client.unexport();
            this._client.close();
        }
        if (this._mock) {
            // Closing its stdin asks the example gateway to exit.
            this._mock.get_stdin_pipe().close(null);
            this._mock.wait(null);
        }
        super.vfunc_shutdown();
    }
});

const app = new Notifier();
const status = app.run([System.programInvocationName, ...ARGV]);
System.exit(status || app.exitStatus);
