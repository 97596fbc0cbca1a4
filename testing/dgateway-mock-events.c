/* SPDX-License-Identifier: LGPL-2.1-or-later */

/* Realistic dispatch payloads for the mock gateway and recorded mixes of
 * them for the benchmark.  Everything here is deterministic: the same index
 * gives the same text, so runs compare. */

#include <dgateway-testing.h>

#include <string.h>

/* Snowflakes count milliseconds from Discord's epoch (gateway.md section 1);
 * generated events start on 2024-01-01T00:00:00Z, 1.5 s apart. */
#define DISCORD_EPOCH_MS G_GINT64_CONSTANT (1420070400000)
#define EVENT_BASE_MS    G_GINT64_CONSTANT (1704067200000)
#define EVENT_SPACING_MS 1500

/* Members of the generated guilds. */
#define N_USERS 5000

/* How big a GUILD_CREATE of the "mixed" recording is: below Discord's
 * largest large_threshold (250) a guild sends every member, and a busy
 * guild easily has a couple of hundred channels. */
#define GUILD_MEMBERS  400
#define GUILD_CHANNELS 200

/* Of every 1000 events of the "mixed" recording (see mock-gateway.h). */
#define MIX_GUILD_CREATE_EVERY 1000
#define MIX_MESSAGES           300
#define MIX_PRESENCES          400
#define MIX_TYPING             200

/**
 * DGatewayMockRecording:
 *
 * The JSON text of a sequence of dispatches, generated up front from a
 * mix of events, that [method@MockGateway.set_recording] streams into
 * sessions as fast as the client reads: a benchmark's workload.
 */
struct _DGatewayMockRecording
{
  char        *mix;
  guint        n_events;
  const char **names;   /* static strings */
  char       **data;
  guint64      data_bytes;
};

G_DEFINE_BOXED_TYPE (DGatewayMockRecording, dgateway_mock_recording,
                     dgateway_mock_recording_ref, dgateway_mock_recording_unref)

static const char *const mixes[] = { "messages", "mixed", NULL };

static const char *const statuses[] = { "online", "online", "idle", "dnd" };

static const char *const reactions[] = {
  "\xf0\x9f\x91\x8d", "\xf0\x9f\x8e\x89", "\xe2\x9d\xa4\xef\xb8\x8f", "\xf0\x9f\x98\x82",
  "\xf0\x9f\x91\x80", "\xf0\x9f\x9a\x80",
};

static const char *const games[] = {
  "Factorio", "Minecraft", "Stardew Valley", "Celeste", "Hades", "Terraria",
  "Visual Studio Code", "GNOME Builder",
};

static guint32
xorshift (guint32 *state)
{
  guint32 x = *state;

  x ^= x << 13;
  x ^= x >> 17;
  x ^= x << 5;
  return *state = x;
}

static gint64
event_ms (guint index)
{
  return EVENT_BASE_MS + (gint64) index * EVENT_SPACING_MS;
}

static guint64
snowflake (gint64 ms,
           guint  increment)
{
  return ((guint64) (ms - DISCORD_EPOCH_MS) << 22) | (increment & 0xfff);
}

static char *
iso_timestamp (gint64 ms)
{
  g_autoptr(GDateTime) time = g_date_time_new_from_unix_utc (ms / 1000);
  g_autofree char *date = g_date_time_format (time, "%Y-%m-%dT%H:%M:%S");

  return g_strdup_printf ("%s.%03d000+00:00", date, (int) (ms % 1000));
}

/* A Discord user object; avatars are 32 hex digits as Discord's are. */
static void
append_user (GString *out,
             guint    user)
{
  g_string_append_printf (out,
                          "{\"id\":\"11000000000%08u\",\"username\":\"user%u\","
                          "\"global_name\":\"User %u\",\"discriminator\":\"0\","
                          "\"avatar\":\"%08x%08x%08x%08x\",\"public_flags\":%u,"
                          "\"avatar_decoration_data\":null,\"bot\":%s}",
                          user, user, user, user * 2654435761u, user + 0x5eed, ~user,
                          user * 40503u, (user % 7 == 0) ? 64 : 0,
                          (user % 97 == 0) ? "true" : "false");
}

/* A guild member object, with its user when with_user. */
static void
append_member (GString  *out,
               guint     user,
               gboolean  with_user)
{
  g_string_append (out, "{");
  if (with_user)
    {
      g_string_append (out, "\"user\":");
      append_user (out, user);
      g_string_append (out, ",");
    }
  g_string_append_printf (out,
                          "\"roles\":[\"11000000000000003%02u\",\"11000000000000003%02u\"],"
                          "\"premium_since\":null,\"pending\":false,\"nick\":%s,"
                          "\"mute\":false,\"joined_at\":\"2023-%02u-%02uT15:09:26.535000+00:00\","
                          "\"flags\":0,\"deaf\":false,\"communication_disabled_until\":null,"
                          "\"avatar\":null}",
                          user % 20, (user / 20) % 20,
                          user % 5 == 0 ? "\"a nickname\"" : "null",
                          1 + user % 12, 1 + user % 28);
}

/**
 * dgateway_mock_gateway_build_presence_update:
 * @index: which event
 *
 * Builds a `PRESENCE_UPDATE` payload of about 300 bytes, the same for the
 * same @index.
 *
 * Returns: (transfer full): the `d` JSON text
 */
char *
dgateway_mock_gateway_build_presence_update (guint index)
{
  guint32 seed = index * 2654435761u + 3;
  guint user = xorshift (&seed) % N_USERS;
  const char *status = statuses[xorshift (&seed) % G_N_ELEMENTS (statuses)];
  gint64 start = event_ms (index) - (xorshift (&seed) % 7200) * 1000;
  GString *out = g_string_new (NULL);

  g_string_append_printf (out, "{\"user\":{\"id\":\"11000000000%08u\"},"
                          "\"status\":\"%s\",\"guild_id\":\"" DGATEWAY_MOCK_GATEWAY_GUILD_ID "\",",
                          user, status);
  if (index % 3 == 0)
    g_string_append_printf (out,
                            "\"activities\":[{\"type\":4,\"state\":\"working on shard %u\","
                            "\"name\":\"Custom Status\",\"id\":\"custom\","
                            "\"emoji\":{\"name\":\"%s\"},"
                            "\"created_at\":%" G_GINT64_FORMAT "}],",
                            index % 64, reactions[index % G_N_ELEMENTS (reactions)], start);
  else
    g_string_append_printf (out,
                            "\"activities\":[{\"type\":0,\"timestamps\":{\"start\":%" G_GINT64_FORMAT "},"
                            "\"name\":\"%s\",\"id\":\"%08x%08x\","
                            "\"created_at\":%" G_GINT64_FORMAT ","
                            "\"application_id\":\"3560000000000%05u\"}],",
                            start, games[user % G_N_ELEMENTS (games)], user * 40503u, index,
                            event_ms (index), user % 100000);
  g_string_append_printf (out, "\"client_status\":{\"%s\":\"%s\"}}",
                          user % 4 == 0 ? "mobile" : "desktop", status);
  return g_string_free (out, FALSE);
}

/**
 * dgateway_mock_gateway_build_typing_start:
 * @index: which event
 *
 * Builds a guild `TYPING_START` payload with the member, about 600 bytes,
 * the same for the same @index.
 *
 * Returns: (transfer full): the `d` JSON text
 */
char *
dgateway_mock_gateway_build_typing_start (guint index)
{
  guint32 seed = index * 40503u + 11;
  guint user = xorshift (&seed) % N_USERS;
  GString *out = g_string_new (NULL);

  g_string_append_printf (out, "{\"user_id\":\"11000000000%08u\",\"timestamp\":%" G_GINT64_FORMAT ","
                          "\"member\":", user, event_ms (index) / 1000);
  append_member (out, user, TRUE);
  g_string_append (out, ",\"channel_id\":\"" DGATEWAY_MOCK_GATEWAY_CHANNEL_ID "\","
                   "\"guild_id\":\"" DGATEWAY_MOCK_GATEWAY_GUILD_ID "\"}");
  return g_string_free (out, FALSE);
}

/**
 * dgateway_mock_gateway_build_message_reaction_add:
 * @index: which event
 *
 * Builds a `MESSAGE_REACTION_ADD` payload with the member, about 700
 * bytes, the same for the same @index.
 *
 * Returns: (transfer full): the `d` JSON text
 */
char *
dgateway_mock_gateway_build_message_reaction_add (guint index)
{
  guint32 seed = index * 69069u + 5;
  guint user = xorshift (&seed) % N_USERS;
  guint64 message = snowflake (event_ms (index) - (xorshift (&seed) % 600000), index);
  GString *out = g_string_new (NULL);

  g_string_append_printf (out, "{\"user_id\":\"11000000000%08u\",\"type\":0,"
                          "\"message_id\":\"%" G_GUINT64_FORMAT "\","
                          "\"message_author_id\":\"11000000000%08u\",\"member\":",
                          user, message, xorshift (&seed) % N_USERS);
  append_member (out, user, TRUE);
  g_string_append_printf (out, ",\"emoji\":{\"name\":\"%s\",\"id\":null},"
                          "\"channel_id\":\"" DGATEWAY_MOCK_GATEWAY_CHANNEL_ID "\","
                          "\"burst_colors\":[],\"burst\":false,"
                          "\"guild_id\":\"" DGATEWAY_MOCK_GATEWAY_GUILD_ID "\"}",
                          reactions[xorshift (&seed) % G_N_ELEMENTS (reactions)]);
  return g_string_free (out, FALSE);
}

static void
append_roles (GString *out,
              guint    n)
{
  g_string_append (out, "\"roles\":[");
  for (guint i = 0; i < n; i++)
    g_string_append_printf (out,
                            "%s{\"id\":\"11000000000000003%02u\",\"name\":\"role %u\","
                            "\"color\":%u,\"hoist\":%s,\"icon\":null,\"unicode_emoji\":null,"
                            "\"position\":%u,\"permissions\":\"%" G_GUINT64_FORMAT "\",\"managed\":false,"
                            "\"mentionable\":false,\"flags\":0,\"tags\":{}}",
                            i > 0 ? "," : "", i, i, (i * 2654435761u) & 0xffffff,
                            i % 4 == 0 ? "true" : "false", i,
                            G_GUINT64_CONSTANT (1071698660929) >> (i % 8));
  g_string_append (out, "],");
}

static void
append_channels (GString *out,
                 guint    guild,
                 guint    n)
{
  g_string_append (out, "\"channels\":[");
  for (guint i = 0; i < n; i++)
    {
      gboolean category = i % 10 == 0;
      g_autofree char *parent = NULL;

      /* Every tenth channel is a category of the nine after it. */
      if (!category)
        parent = g_strdup_printf ("\"1100000000%04u%05u\"", guild % 10000, i - i % 10);
      g_string_append_printf (out,
                              "%s{\"id\":\"1100000000%04u%05u\",\"type\":%d,\"name\":\"%s-%u\","
                              "\"position\":%u,\"flags\":0,\"parent_id\":%s,"
                              "\"permission_overwrites\":[{\"id\":\"" DGATEWAY_MOCK_GATEWAY_GUILD_ID "\","
                              "\"type\":0,\"allow\":\"0\",\"deny\":\"%u\"}]",
                              i > 0 ? "," : "", guild % 10000, i, category ? 4 : 0,
                              category ? "category" : "channel", i, i % 10,
                              category ? "null" : parent, i % 3 == 0 ? 2048 : 0);
      if (!category)
        g_string_append_printf (out, ",\"topic\":\"Talk about topic %u here\","
                                "\"nsfw\":false,\"rate_limit_per_user\":0,"
                                "\"last_message_id\":\"%" G_GUINT64_FORMAT "\"",
                                i, snowflake (EVENT_BASE_MS - i * 60000, i));
      g_string_append (out, "}");
    }
  g_string_append (out, "],");
}

static void
append_members_and_presences (GString *out,
                              guint    guild,
                              guint    n)
{
  g_string_append (out, "\"members\":[");
  for (guint i = 0; i < n; i++)
    {
      if (i > 0)
        g_string_append_c (out, ',');
      append_member (out, (guild * 7 + i) % N_USERS, TRUE);
    }

  /* Discord sends the presences of the members that are not offline. */
  g_string_append (out, "],\"presences\":[");
  for (guint i = 0; i < n; i += 3)
    g_string_append_printf (out, "%s{\"user\":{\"id\":\"11000000000%08u\"},\"status\":\"%s\","
                            "\"client_status\":{\"desktop\":\"%s\"},\"activities\":[]}",
                            i > 0 ? "," : "", (guild * 7 + i) % N_USERS,
                            statuses[i % G_N_ELEMENTS (statuses)],
                            statuses[i % G_N_ELEMENTS (statuses)]);
  g_string_append (out, "],");
}

/**
 * dgateway_mock_gateway_build_guild_create:
 * @index: which guild
 * @n_members: how many members (and a third as many presences) it lists
 * @n_channels: how many channels it lists
 *
 * Builds a `GUILD_CREATE` with 20 roles, @n_channels channels, @n_members
 * members and the presences of a third of them: about 250 KB for 400
 * members and 200 channels.  Its id differs for each @index; its members
 * are the users `userK` (id `11000000000` and K in 8 digits) for K from
 * 7 × @index on.
 *
 * Returns: (transfer full): the `d` JSON text, for [method@MockGateway.add_guild]
 */
char *
dgateway_mock_gateway_build_guild_create (guint index,
                                          guint n_members,
                                          guint n_channels)
{
  g_autofree char *joined = iso_timestamp (event_ms (index));
  GString *out = g_string_new (NULL);

  g_string_append_printf (out,
                          "{\"id\":\"%" G_GUINT64_FORMAT "\",\"name\":\"Guild %u\","
                          "\"icon\":\"%08x%08x%08x%08x\",\"description\":null,\"splash\":null,"
                          "\"discovery_splash\":null,\"banner\":null,\"features\":[\"COMMUNITY\","
                          "\"NEWS\",\"INVITE_SPLASH\"],\"owner_id\":\"11000000000%08u\","
                          "\"application_id\":null,\"afk_channel_id\":null,\"afk_timeout\":300,"
                          "\"system_channel_id\":\"" DGATEWAY_MOCK_GATEWAY_CHANNEL_ID "\","
                          "\"system_channel_flags\":0,\"widget_enabled\":false,"
                          "\"widget_channel_id\":null,\"verification_level\":1,"
                          "\"default_message_notifications\":1,\"mfa_level\":0,"
                          "\"explicit_content_filter\":2,\"max_presences\":null,"
                          "\"max_members\":500000,\"max_video_channel_users\":25,"
                          "\"max_stage_video_channel_users\":50,\"vanity_url_code\":null,"
                          "\"premium_tier\":1,\"premium_subscription_count\":3,"
                          "\"preferred_locale\":\"en-US\",\"rules_channel_id\":null,"
                          "\"public_updates_channel_id\":null,\"safety_alerts_channel_id\":null,"
                          "\"nsfw_level\":0,\"premium_progress_bar_enabled\":false,"
                          "\"incidents_data\":null,\"emojis\":[],\"stickers\":[],"
                          "\"joined_at\":\"%s\",\"large\":false,\"unavailable\":false,"
                          "\"member_count\":%u,\"voice_states\":[],\"threads\":[],"
                          "\"stage_instances\":[],\"guild_scheduled_events\":[],"
                          "\"soundboard_sounds\":[],",
                          snowflake (event_ms (index) - G_GINT64_CONSTANT (86400000) * 365, index),
                          index, index * 2654435761u, index + 1, ~index, index * 69069u,
                          index % N_USERS, joined, n_members);
  append_roles (out, 20);
  append_channels (out, index, n_channels);
  append_members_and_presences (out, index, n_members);
  g_string_append_printf (out, "\"lazy\":true,\"guild_hashes\":{\"version\":1}}");
  return g_string_free (out, FALSE);
}

/* Recordings */

/**
 * dgateway_mock_recording_list_mixes:
 *
 * Lists the mixes that [ctor@MockRecording.new] knows: `messages` (about
 * 1.3 KB `MESSAGE_CREATE`s only) and `mixed` (per 1000 events, one
 * 250 KB `GUILD_CREATE` and, of the others, about 30% `MESSAGE_CREATE`,
 * 40% `PRESENCE_UPDATE`, 20% `TYPING_START`, 10% `MESSAGE_REACTION_ADD`).
 *
 * Returns: (transfer none) (array zero-terminated=1): the names of the mixes
 */
const char *const *
dgateway_mock_recording_list_mixes (void)
{
  return mixes;
}

/* Which event the "mixed" recording has at index (see mock-gateway.h). */
static const char *
mixed_event (guint     index,
             guint32  *seed,
             char    **data)
{
  guint pick;

  if (index % MIX_GUILD_CREATE_EVERY == MIX_GUILD_CREATE_EVERY / 2)
    {
      *data = dgateway_mock_gateway_build_guild_create (index / MIX_GUILD_CREATE_EVERY,
                                               GUILD_MEMBERS, GUILD_CHANNELS);
      return "GUILD_CREATE";
    }

  pick = xorshift (seed) % (MIX_GUILD_CREATE_EVERY - 1);
  if (pick < MIX_MESSAGES)
    {
      *data = dgateway_mock_gateway_build_message_create (index);
      return "MESSAGE_CREATE";
    }
  if (pick < MIX_MESSAGES + MIX_PRESENCES)
    {
      *data = dgateway_mock_gateway_build_presence_update (index);
      return "PRESENCE_UPDATE";
    }
  if (pick < MIX_MESSAGES + MIX_PRESENCES + MIX_TYPING)
    {
      *data = dgateway_mock_gateway_build_typing_start (index);
      return "TYPING_START";
    }
  *data = dgateway_mock_gateway_build_message_reaction_add (index);
  return "MESSAGE_REACTION_ADD";
}

/**
 * dgateway_mock_recording_new:
 * @mix: a mix from [func@MockRecording.list_mixes]
 * @n_events: how many dispatches
 * @error: return location for an error
 *
 * Generates the JSON text of @n_events dispatches of @mix up front, so that
 * streaming them costs only framing and compression.
 *
 * Returns: (transfer full) (nullable): the recording, or `NULL` for an unknown mix
 */
DGatewayMockRecording *
dgateway_mock_recording_new (const char  *mix,
                             guint        n_events,
                             GError     **error)
{
  DGatewayMockRecording *self;
  gboolean messages_only = g_strcmp0 (mix, "messages") == 0;
  guint32 seed = 0x5eed;

  g_return_val_if_fail (mix != NULL, NULL);

  if (!messages_only && g_strcmp0 (mix, "mixed") != 0)
    {
      g_set_error (error, G_IO_ERROR, G_IO_ERROR_INVALID_ARGUMENT,
                   "Unknown mix \"%s\" (known: messages, mixed)", mix);
      return NULL;
    }

  self = g_rc_box_new0 (DGatewayMockRecording);
  self->mix = g_strdup (mix);
  self->n_events = n_events;
  self->names = g_new (const char *, n_events);
  self->data = g_new (char *, n_events);
  for (guint i = 0; i < n_events; i++)
    {
      if (messages_only)
        {
          self->data[i] = dgateway_mock_gateway_build_message_create (i);
          self->names[i] = "MESSAGE_CREATE";
        }
      else
        self->names[i] = mixed_event (i, &seed, &self->data[i]);
      self->data_bytes += strlen (self->data[i]);
    }
  return self;
}

/**
 * dgateway_mock_recording_ref:
 * @self: a recording
 *
 * Takes a reference.
 *
 * Returns: (transfer full): @self
 */
DGatewayMockRecording *
dgateway_mock_recording_ref (DGatewayMockRecording *self)
{
  g_return_val_if_fail (self != NULL, NULL);

  return g_rc_box_acquire (self);
}

static void
dgateway_mock_recording_clear (gpointer data)
{
  DGatewayMockRecording *self = data;

  for (guint i = 0; i < self->n_events; i++)
    g_free (self->data[i]);
  g_free (self->data);
  g_free (self->names);
  g_free (self->mix);
}

/**
 * dgateway_mock_recording_unref:
 * @self: (transfer full): a recording
 *
 * Drops a reference.
 */
void
dgateway_mock_recording_unref (DGatewayMockRecording *self)
{
  g_return_if_fail (self != NULL);

  g_rc_box_release_full (self, dgateway_mock_recording_clear);
}

/**
 * dgateway_mock_recording_get_mix:
 * @self: a recording
 *
 * Gets the mix of the recording.
 *
 * Returns: (transfer none): the mix
 */
const char *
dgateway_mock_recording_get_mix (DGatewayMockRecording *self)
{
  g_return_val_if_fail (self != NULL, NULL);

  return self->mix;
}

/**
 * dgateway_mock_recording_get_n_events:
 * @self: a recording
 *
 * Gets how many dispatches the recording holds.
 *
 * Returns: the number of events
 */
guint
dgateway_mock_recording_get_n_events (DGatewayMockRecording *self)
{
  g_return_val_if_fail (self != NULL, 0);

  return self->n_events;
}

/**
 * dgateway_mock_recording_get_data_bytes:
 * @self: a recording
 *
 * Gets the total length of the payloads.
 *
 * Returns: the length of all the `d` texts, in bytes
 */
guint64
dgateway_mock_recording_get_data_bytes (DGatewayMockRecording *self)
{
  g_return_val_if_fail (self != NULL, 0);

  return self->data_bytes;
}

/**
 * dgateway_mock_recording_get_event_name:
 * @self: a recording
 * @index: an event index, from 0
 *
 * Gets the name of event @index.
 *
 * Returns: (transfer none): the event name, such as `MESSAGE_CREATE`
 */
const char *
dgateway_mock_recording_get_event_name (DGatewayMockRecording *self,
                                        guint                  index)
{
  g_return_val_if_fail (self != NULL, NULL);
  g_return_val_if_fail (index < self->n_events, NULL);

  return self->names[index];
}

/**
 * dgateway_mock_recording_get_event_data:
 * @self: a recording
 * @index: an event index, from 0
 *
 * Gets the payload of event @index.
 *
 * Returns: (transfer none): the `d` JSON text
 */
const char *
dgateway_mock_recording_get_event_data (DGatewayMockRecording *self,
                                        guint                  index)
{
  g_return_val_if_fail (self != NULL, NULL);
  g_return_val_if_fail (index < self->n_events, NULL);

  return self->data[index];
}
