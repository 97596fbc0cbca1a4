/* SPDX-License-Identifier: LGPL-2.1-or-later */

/* DGatewayCache against the mock gateway: each cached event family, the
 * protocol's hard cases, and what the models and objects tell a UI
 * (items-changed positions, notify emissions, stable objects). */

#include "test-utils.h"

#include <string.h>

#define GUILD DGATEWAY_MOCK_GATEWAY_GUILD_ID
#define CATEGORY "1100000000000000300"
#define GENERAL  "1100000000000000200"
#define RANDOM   "1100000000000000201"
#define LOBBY    "1100000000000000202"
#define VOICE    "1100000000000000203"
#define RED      "1100000000000000500"
#define BLUE     "1100000000000000501"
#define PLAIN    "1100000000000000502"
#define ALICE    "1100000000000000600"
#define BOB      "1100000000000000601"
#define CAROL    "1100000000000000602"
#define THREAD1  "1100000000000000700"
#define THREAD2  "1100000000000000701"
/* (id >> 22) is 1000 and 1001: shards 0 and 1 of two. */
#define GUILD_A  "4194304000"
#define GUILD_B  "4198498304"

typedef struct {
  Fixture f;
  DGatewayCache *cache;
} CacheFixture;

/* Records the items-changed emissions of a model as "pos-removed+added". */
typedef struct {
  GListModel *model;
  GString *log;
  gulong handler;
} Changes;

/* Records the notify emissions of an object as "name name ...". */
typedef struct {
  GObject *object;
  GString *log;
  gulong handler;
} Notifies;

static void
items_changed_cb (GListModel *model,
                  guint       position,
                  guint       removed,
                  guint       added,
                  Changes    *changes)
{
  g_string_append_printf (changes->log, "%s%u-%u+%u", changes->log->len ? " " : "",
                          position, removed, added);
}

static Changes *
changes_new (GListModel *model)
{
  Changes *changes = g_new0 (Changes, 1);

  changes->model = g_object_ref (model);
  changes->log = g_string_new (NULL);
  changes->handler = g_signal_connect (model, "items-changed", G_CALLBACK (items_changed_cb), changes);
  return changes;
}

/* Returns the log so far and starts a new one. */
static const char *
changes_take (Changes *changes)
{
  static char *last;

  g_free (last);
  last = g_strdup (changes->log->str);
  g_string_truncate (changes->log, 0);
  return last;
}

static void
changes_free (Changes *changes)
{
  g_signal_handler_disconnect (changes->model, changes->handler);
  g_object_unref (changes->model);
  g_string_free (changes->log, TRUE);
  g_free (changes);
}

G_DEFINE_AUTOPTR_CLEANUP_FUNC (Changes, changes_free)

static void
notify_cb (GObject    *object,
           GParamSpec *pspec,
           Notifies   *notifies)
{
  g_string_append_printf (notifies->log, "%s%s", notifies->log->len ? " " : "", pspec->name);
}

static Notifies *
notifies_new (gpointer object)
{
  Notifies *notifies = g_new0 (Notifies, 1);

  notifies->object = g_object_ref (object);
  notifies->log = g_string_new (NULL);
  notifies->handler = g_signal_connect (object, "notify", G_CALLBACK (notify_cb), notifies);
  return notifies;
}

static int
compare_words (const void *a,
               const void *b)
{
  return strcmp (*(char * const *) a, *(char * const *) b);
}

/* Returns the names notified so far, sorted (the order of notifications
 * held by g_object_freeze_notify() is GLib's), and starts a new log. */
static const char *
notifies_take (Notifies *notifies)
{
  static char *last;
  g_auto(GStrv) words = g_strsplit (notifies->log->str, " ", -1);

  qsort (words, g_strv_length (words), sizeof (char *), compare_words);
  g_free (last);
  last = g_strjoinv (" ", words);
  g_string_truncate (notifies->log, 0);
  return last;
}

static void
notifies_free (Notifies *notifies)
{
  g_signal_handler_disconnect (notifies->object, notifies->handler);
  g_object_unref (notifies->object);
  g_string_free (notifies->log, TRUE);
  g_free (notifies);
}

G_DEFINE_AUTOPTR_CLEANUP_FUNC (Notifies, notifies_free)

/* The names of the items of a model, joined with commas. */
static char *
names (GListModel *model)
{
  GString *out = g_string_new (NULL);

  for (guint i = 0; i < g_list_model_get_n_items (model); i++)
    {
      g_autoptr(GObject) item = g_list_model_get_item (model, i);
      g_autofree char *name = NULL;

      if (DGATEWAY_IS_CACHED_MEMBER (item))
        name = g_strdup (dgateway_cached_member_get_display_name (DGATEWAY_CACHED_MEMBER (item)));
      else if (DGATEWAY_IS_CACHED_MESSAGE (item))
        name = g_strdup (dgateway_cached_message_get_content (DGATEWAY_CACHED_MESSAGE (item)));
      else
        g_object_get (item, "name", &name, NULL);
      g_string_append_printf (out, "%s%s", i ? "," : "", name ? name : "(null)");
    }
  return g_string_free (out, FALSE);
}

#define assert_names(model, expected) \
  G_STMT_START { \
    g_autofree char *_names = names (G_LIST_MODEL (model)); \
    g_assert_cmpstr (_names, ==, expected); \
  } G_STMT_END

static gint64
last_sequence (CacheFixture *cf)
{
  GPtrArray *events = cf->f.events;

  return events->len ? dgateway_event_get_sequence (events->pdata[events->len - 1]) : 0;
}

/* Dispatches @json (single quotes stand for double ones) and waits until
 * the client delivered it. */
static void
dispatch (CacheFixture *cf,
          const char   *name,
          const char   *json)
{
  g_autofree char *text = g_strdelimit (g_strdup (json), "'", '"');
  gint64 seq = dgateway_mock_gateway_send_dispatch (cf->f.mock, name, text);

  g_assert_cmpint (seq, >, 0);
  WAIT_UNTIL (last_sequence (cf) >= seq, 3000);
}

static void G_GNUC_PRINTF (3, 4)
dispatchf (CacheFixture *cf,
           const char   *name,
           const char   *format,
           ...)
{
  g_autofree char *json = NULL;
  va_list args;

  va_start (args, format);
  json = g_strdup_vprintf (format, args);
  va_end (args);
  dispatch (cf, name, json);
}

#define USER(id, name, global) "{'id':'" id "','username':'" name "','global_name':" global ",'avatar':null}"

static const char guild_create[] =
  "{'id':'" GUILD "','name':'Test guild','icon':null,'owner_id':'" ALICE "',"
  "'member_count':2,'large':false,"
  "'channels':["
  "{'id':'" CATEGORY "','type':4,'name':'Text','position':1},"
  "{'id':'" RANDOM "','type':0,'name':'random','position':1,'parent_id':'" CATEGORY "'},"
  "{'id':'" GENERAL "','type':0,'name':'general','position':0,'parent_id':'" CATEGORY "','topic':'hi'},"
  "{'id':'" VOICE "','type':2,'name':'Voice','position':0,'parent_id':'" CATEGORY "'},"
  "{'id':'" LOBBY "','type':0,'name':'lobby','position':0}],"
  "'threads':["
  "{'id':'" THREAD2 "','type':11,'name':'t2','parent_id':'" RANDOM "','member_count':2,"
  "'thread_metadata':{'archived':false}},"
  "{'id':'" THREAD1 "','type':11,'name':'t1','parent_id':'" GENERAL "','member_count':1,"
  "'thread_metadata':{'archived':false}}],"
  "'roles':["
  "{'id':'" RED "','name':'red','color':16711680,'position':2,'permissions':'8'},"
  "{'id':'" GUILD "','name':'@everyone','color':0,'position':0,'permissions':'104324673'},"
  "{'id':'" PLAIN "','name':'plain','color':0,'position':3,'permissions':'0'},"
  "{'id':'" BLUE "','name':'blue','color':255,'position':1,'permissions':'0'}],"
  "'members':["
  "{'user':" USER (ALICE, "alice", "'Alice A'") ",'nick':null,'roles':['" BLUE "','" RED "','" PLAIN "']},"
  "{'user':" USER (BOB, "bob", "null") ",'nick':'Bobby','roles':[]}],"
  "'presences':[{'user':{'id':'" ALICE "'},'status':'online'}],"
  "'voice_states':[{'user_id':'" BOB "','channel_id':'" VOICE "'}],"
  "'emojis':[{'id':'900','name':'blob','animated':true}],"
  "'stickers':[{'id':'901','name':'wave'}]}";

static void
cache_setup (CacheFixture  *cf,
             gconstpointer  data)
{
  fixture_setup (&cf->f, GINT_TO_POINTER (DGATEWAY_COMPRESSION_NONE));
  cf->cache = dgateway_cache_new (cf->f.client, DGATEWAY_CACHE_ALL);
}

static void
cache_teardown (CacheFixture  *cf,
                gconstpointer  data)
{
  g_assert_finalize_object (cf->cache);
  fixture_teardown (&cf->f, data);
}

/* Connects and applies the full GUILD_CREATE of the mock's guild. */
static DGatewayCachedGuild *
connect_with_guild (CacheFixture *cf)
{
  connect_client (&cf->f);
  dispatch (cf, "GUILD_CREATE", guild_create);
  return dgateway_cache_lookup_guild (cf->cache, GUILD);
}

static void
test_ready_then_guild_create (CacheFixture  *cf,
                              gconstpointer  data)
{
  GListModel *guilds = dgateway_cache_get_guilds (cf->cache);
  g_autoptr(Changes) changes = changes_new (guilds);
  g_autoptr(Notifies) notifies = NULL;
  g_autoptr(Changes) channel_changes = NULL;
  g_autoptr(Changes) tree_changes = NULL;
  g_autoptr(Changes) member_changes = NULL;
  DGatewayCachedGuild *guild;
  DGatewayCachedChannel *category;
  g_autofree char *owner = NULL;

  /* READY lists the guild as unavailable: known, but nothing about it. */
  connect_client (&cf->f);
  g_assert_cmpstr (changes_take (changes), ==, "0-0+1");
  guild = dgateway_cache_lookup_guild (cf->cache, GUILD);
  g_assert_nonnull (guild);
  g_assert_true (dgateway_cached_guild_get_unavailable (guild));
  g_assert_null (dgateway_cached_guild_get_name (guild));
  g_assert_cmpstr (dgateway_cached_user_get_username (dgateway_cache_get_current_user (cf->cache)),
                   ==, "mockbot");

  notifies = notifies_new (guild);
  channel_changes = changes_new (dgateway_cached_guild_get_channels (guild));
  tree_changes = changes_new (dgateway_cached_guild_get_channel_tree (guild));
  member_changes = changes_new (dgateway_cached_guild_get_members (guild));
  dispatch (cf, "GUILD_CREATE", guild_create);
  g_assert_true (dgateway_cache_lookup_guild (cf->cache, GUILD) == guild);
  g_assert_cmpstr (changes_take (changes), ==, "");
  /* A new guild's models fill at once. */
  g_assert_cmpstr (changes_take (channel_changes), ==, "0-0+5");
  g_assert_cmpstr (changes_take (tree_changes), ==, "0-0+2");
  g_assert_cmpstr (changes_take (member_changes), ==, "0-0+2");
  g_assert_cmpstr (notifies_take (notifies), ==, "member-count name owner-id unavailable");
  g_assert_false (dgateway_cached_guild_get_unavailable (guild));
  g_assert_cmpstr (dgateway_cached_guild_get_name (guild), ==, "Test guild");
  owner = dgateway_cached_guild_dup_owner_id (guild);
  g_assert_cmpstr (owner, ==, ALICE);
  g_assert_cmpint (dgateway_cached_guild_get_member_count (guild), ==, 2);

  /* Discord's order: position, then id; the tree: loose channels, then
   * categories with their channels. */
  assert_names (dgateway_cached_guild_get_channels (guild), "general,lobby,Voice,random,Text");
  assert_names (dgateway_cached_guild_get_channel_tree (guild), "lobby,Text");
  category = dgateway_cache_lookup_channel (cf->cache, CATEGORY);
  assert_names (dgateway_cached_channel_get_children (category), "general,Voice,random");
  g_assert_null (dgateway_cached_channel_get_children (dgateway_cache_lookup_channel (cf->cache, LOBBY)));
  assert_names (dgateway_cached_guild_get_threads (guild), "t1,t2");
  assert_names (dgateway_cached_guild_get_roles (guild), "@everyone,blue,red,plain");
  assert_names (dgateway_cached_guild_get_members (guild), "Alice A,Bobby");
  assert_names (dgateway_cached_guild_get_emojis (guild), "blob,wave");
  g_assert_true (dgateway_cached_channel_get_guild (category) == guild);
  g_assert_cmpstr (dgateway_cached_channel_get_topic (dgateway_cache_lookup_channel (cf->cache, GENERAL)), ==, "hi");

  /* A second GUILD_CREATE (as after a new session) changes nothing. */
  dispatch (cf, "GUILD_CREATE", guild_create);
  g_assert_cmpstr (notifies_take (notifies), ==, "");
  g_assert_cmpstr (changes_take (channel_changes), ==, "");
  g_assert_cmpstr (changes_take (member_changes), ==, "");
  assert_names (dgateway_cached_guild_get_channels (guild), "general,lobby,Voice,random,Text");
  assert_names (dgateway_cached_guild_get_members (guild), "Alice A,Bobby");
}

static void
test_lookups_and_helpers (CacheFixture  *cf,
                          gconstpointer  data)
{
  DGatewayCachedGuild *guild = connect_with_guild (cf);
  DGatewayCachedMember *alice = dgateway_cache_lookup_member (cf->cache, GUILD, ALICE);
  DGatewayCachedMember *bob = dgateway_cache_lookup_member (cf->cache, GUILD, BOB);
  g_autofree char *voice = dgateway_cached_guild_dup_voice_channel_id (guild, BOB);
  g_autofree char *rendered = NULL;
  g_auto(GStrv) roles = dgateway_cached_member_dup_role_ids (alice);

  g_assert_nonnull (alice);
  g_assert_true (dgateway_cached_member_get_guild (alice) == guild);
  g_assert_true (dgateway_cached_member_get_user (alice) == dgateway_cache_lookup_user (cf->cache, ALICE));
  g_assert_true (dgateway_cache_lookup_role (cf->cache, RED) == dgateway_cached_guild_lookup_role (guild, RED));
  g_assert_cmpstr (dgateway_cached_role_get_name (dgateway_cache_lookup_role (cf->cache, RED)), ==, "red");
  g_assert_null (dgateway_cache_lookup_user (cf->cache, CAROL));
  g_assert_null (dgateway_cache_lookup_member (cf->cache, GUILD, CAROL));

  /* nick, then global_name, then username. */
  g_assert_cmpstr (dgateway_cached_member_get_display_name (alice), ==, "Alice A");
  g_assert_cmpstr (dgateway_cached_member_get_display_name (bob), ==, "Bobby");

  /* The highest role with a colour: red (2) above blue (1); plain (3) has none. */
  g_assert_cmpuint (dgateway_cached_member_get_color (alice), ==, 0xff0000);
  g_assert_cmpuint (dgateway_cached_member_get_color (bob), ==, 0);
  g_assert_cmpuint (g_strv_length (roles), ==, 3);
  g_assert_true (dgateway_cached_member_has_role (alice, BLUE));
  g_assert_false (dgateway_cached_member_has_role (bob, BLUE));

  g_assert_cmpint (dgateway_cached_member_get_status (alice), ==, DGATEWAY_STATUS_ONLINE);
  g_assert_cmpint (dgateway_cached_member_get_status (bob), ==, DGATEWAY_STATUS_OFFLINE);
  g_assert_cmpstr (voice, ==, VOICE);

  rendered = dgateway_cache_render_content (cf->cache, guild,
                                            "hi <@" ALICE "> and <@!" BOB ">, <@&" RED "> in <#" GENERAL ">"
                                            " <@" CAROL "> <@x> <#>");
  g_assert_cmpstr (rendered, ==, "hi @Alice A and @Bobby, @red in #general <@" CAROL "> <@x> <#>");
}

static void
test_channel_events (CacheFixture  *cf,
                     gconstpointer  data)
{
  DGatewayCachedGuild *guild = connect_with_guild (cf);
  DGatewayCachedChannel *category = dgateway_cache_lookup_channel (cf->cache, CATEGORY);
  DGatewayCachedChannel *general = dgateway_cache_lookup_channel (cf->cache, GENERAL);
  g_autoptr(Changes) channels = changes_new (dgateway_cached_guild_get_channels (guild));
  g_autoptr(Changes) tree = changes_new (dgateway_cached_guild_get_channel_tree (guild));
  g_autoptr(Changes) children = changes_new (dgateway_cached_channel_get_children (category));
  g_autoptr(Notifies) notifies = notifies_new (general);

  /* A rename: same object, one notify, no move. */
  dispatch (cf, "CHANNEL_UPDATE", "{'id':'" GENERAL "','guild_id':'" GUILD "','type':0,'name':'chat',"
                "'position':0,'parent_id':'" CATEGORY "','topic':'hi'}");
  g_assert_true (dgateway_cache_lookup_channel (cf->cache, GENERAL) == general);
  g_assert_cmpstr (notifies_take (notifies), ==, "name");
  g_assert_cmpstr (changes_take (channels), ==, "");

  /* Announcements and back; a text channel never becomes a category. */
  dispatch (cf, "CHANNEL_UPDATE", "{'id':'" GENERAL "','guild_id':'" GUILD "','type':5,'name':'chat'}");
  g_assert_cmpstr (notifies_take (notifies), ==, "channel-type");
  g_assert_cmpint (dgateway_cached_channel_get_channel_type (general), ==, DGATEWAY_CHANNEL_TYPE_GUILD_ANNOUNCEMENT);
  dispatch (cf, "CHANNEL_UPDATE", "{'id':'" GENERAL "','guild_id':'" GUILD "','type':4,'name':'chat'}");
  dispatch (cf, "CHANNEL_UPDATE", "{'id':'" GENERAL "','guild_id':'" GUILD "','type':0,'name':'chat'}");
  g_assert_cmpstr (notifies_take (notifies), ==, "channel-type");
  g_assert_cmpint (dgateway_cached_channel_get_channel_type (general), ==, DGATEWAY_CHANNEL_TYPE_GUILD_TEXT);
  g_assert_cmpstr (changes_take (channels), ==, "");

  /* A move: general (0) goes after random (1, lower id than 2? no: 200 < 201). */
  dispatch (cf, "CHANNEL_UPDATE", "{'id':'" GENERAL "','guild_id':'" GUILD "','type':0,'name':'chat',"
                "'position':2,'parent_id':'" CATEGORY "','topic':'hi'}");
  g_assert_cmpstr (notifies_take (notifies), ==, "position");
  assert_names (dgateway_cached_guild_get_channels (guild), "lobby,Voice,random,Text,chat");
  g_assert_cmpstr (changes_take (channels), ==, "0-1+0 4-0+1");
  assert_names (dgateway_cached_channel_get_children (category), "Voice,random,chat");
  g_assert_cmpstr (changes_take (children), ==, "0-1+0 2-0+1");

  /* Out of its category: to the top of the tree. */
  dispatch (cf, "CHANNEL_UPDATE", "{'id':'" GENERAL "','guild_id':'" GUILD "','type':0,'name':'chat',"
                "'position':2,'parent_id':null,'topic':'hi'}");
  g_assert_cmpstr (notifies_take (notifies), ==, "parent-id");
  assert_names (dgateway_cached_guild_get_channel_tree (guild), "lobby,chat,Text");
  g_assert_cmpstr (changes_take (children), ==, "2-1+0");
  g_assert_cmpstr (changes_take (tree), ==, "1-0+1");

  /* A new channel in the category, and a deletion. */
  dispatch (cf, "CHANNEL_CREATE", "{'id':'1100000000000000204','guild_id':'" GUILD "','type':0,"
                "'name':'new','position':0,'parent_id':'" CATEGORY "'}");
  assert_names (dgateway_cached_channel_get_children (category), "Voice,new,random");
  g_assert_cmpstr (changes_take (children), ==, "1-0+1");
  g_assert_cmpstr (changes_take (channels), ==, "2-0+1");
  dispatch (cf, "CHANNEL_DELETE", "{'id':'" GENERAL "','guild_id':'" GUILD "','type':0}");
  g_assert_null (dgateway_cache_lookup_channel (cf->cache, GENERAL));
  g_assert_null (dgateway_cached_channel_get_guild (general));
  g_assert_cmpstr (notifies_take (notifies), ==, "guild");
  g_assert_cmpstr (changes_take (tree), ==, "1-1+0");
  g_assert_cmpstr (changes_take (channels), ==, "5-1+0");
  /* Its thread went with it. */
  g_assert_null (dgateway_cache_lookup_channel (cf->cache, THREAD1));
  assert_names (dgateway_cached_guild_get_threads (guild), "t2");

  /* Deleting the category puts its channels at the top. */
  dispatch (cf, "CHANNEL_DELETE", "{'id':'" CATEGORY "','guild_id':'" GUILD "','type':4}");
  assert_names (dgateway_cached_guild_get_channel_tree (guild), "lobby,Voice,new,random");
}

static void
test_thread_events (CacheFixture  *cf,
                    gconstpointer  data)
{
  DGatewayCachedGuild *guild = connect_with_guild (cf);
  DGatewayCachedChannel *thread2 = dgateway_cache_lookup_channel (cf->cache, THREAD2);
  g_autoptr(Changes) threads = changes_new (dgateway_cached_guild_get_threads (guild));
  g_autoptr(Notifies) notifies = notifies_new (thread2);

  g_assert_true (dgateway_cached_channel_is_thread (thread2));
  dispatch (cf, "THREAD_CREATE", "{'id':'1100000000000000702','guild_id':'" GUILD "','type':11,"
                "'name':'t3','parent_id':'" GENERAL "','member_count':0,'newly_created':true}");
  g_assert_cmpstr (changes_take (threads), ==, "2-0+1");

  /* Threads of general are synced: t1 is gone, t3 stays, and t2 of
   * another channel is untouched. */
  dispatch (cf, "THREAD_LIST_SYNC", "{'guild_id':'" GUILD "','channel_ids':['" GENERAL "'],"
                "'threads':[{'id':'1100000000000000702','guild_id':'" GUILD "','type':11,'name':'t3',"
                "'parent_id':'" GENERAL "'}],"
                "'members':[{'id':'1100000000000000702','user_id':'" DGATEWAY_MOCK_GATEWAY_BOT_ID "','flags':0,"
                "'join_timestamp':'2024-01-01T00:00:00.000000+00:00'}]}");
  assert_names (dgateway_cached_guild_get_threads (guild), "t2,t3");
  g_assert_cmpstr (changes_take (threads), ==, "0-1+0");
  g_assert_true (dgateway_cached_channel_get_joined (dgateway_cache_lookup_channel (cf->cache, "1100000000000000702")));

  dispatch (cf, "THREAD_MEMBERS_UPDATE", "{'id':'" THREAD2 "','guild_id':'" GUILD "','member_count':3,"
                "'added_members':[{'id':'" THREAD2 "','user_id':'" DGATEWAY_MOCK_GATEWAY_BOT_ID "','flags':0,"
                "'join_timestamp':'2024-01-01T00:00:00.000000+00:00'}]}");
  g_assert_cmpint (dgateway_cached_channel_get_member_count (thread2), ==, 3);
  g_assert_cmpstr (notifies_take (notifies), ==, "joined member-count");
  dispatch (cf, "THREAD_MEMBERS_UPDATE", "{'id':'" THREAD2 "','guild_id':'" GUILD "','member_count':2,"
                "'removed_member_ids':['" DGATEWAY_MOCK_GATEWAY_BOT_ID "']}");
  g_assert_cmpstr (notifies_take (notifies), ==, "joined member-count");
  dispatch (cf, "THREAD_MEMBER_UPDATE", "{'id':'" THREAD2 "','guild_id':'" GUILD "','user_id':'"
                DGATEWAY_MOCK_GATEWAY_BOT_ID "','flags':0,'join_timestamp':'2024-01-01T00:00:00.000000+00:00'}");
  g_assert_cmpstr (notifies_take (notifies), ==, "joined");

  dispatch (cf, "THREAD_UPDATE", "{'id':'" THREAD2 "','guild_id':'" GUILD "','type':11,'name':'t2',"
                "'parent_id':'" RANDOM "','thread_metadata':{'archived':true}}");
  g_assert_cmpstr (notifies_take (notifies), ==, "archived");
  dispatch (cf, "THREAD_DELETE", "{'id':'" THREAD2 "','guild_id':'" GUILD "','parent_id':'" RANDOM "','type':11}");
  g_assert_cmpstr (changes_take (threads), ==, "0-1+0");
  g_assert_null (dgateway_cache_lookup_channel (cf->cache, THREAD2));
}

static void
test_role_events (CacheFixture  *cf,
                  gconstpointer  data)
{
  DGatewayCachedGuild *guild = connect_with_guild (cf);
  DGatewayCachedRole *blue = dgateway_cache_lookup_role (cf->cache, BLUE);
  DGatewayCachedMember *alice = dgateway_cache_lookup_member (cf->cache, GUILD, ALICE);
  g_autoptr(Changes) roles = changes_new (dgateway_cached_guild_get_roles (guild));
  g_autoptr(Notifies) notifies = notifies_new (blue);

  /* Blue rises above red: alice takes its colour. */
  dispatch (cf, "GUILD_ROLE_UPDATE", "{'guild_id':'" GUILD "','role':{'id':'" BLUE "','name':'blue',"
                "'color':255,'position':5,'permissions':'0'}}");
  g_assert_cmpstr (notifies_take (notifies), ==, "position");
  g_assert_cmpstr (changes_take (roles), ==, "1-1+0 3-0+1");
  assert_names (dgateway_cached_guild_get_roles (guild), "@everyone,red,plain,blue");
  g_assert_cmpuint (dgateway_cached_member_get_color (alice), ==, 0x0000ff);

  dispatch (cf, "GUILD_ROLE_CREATE", "{'guild_id':'" GUILD "','role':{'id':'1100000000000000503',"
                "'name':'new','color':1,'position':4,'permissions':'0','hoist':true}}");
  g_assert_cmpstr (changes_take (roles), ==, "3-0+1");
  g_assert_true (dgateway_cached_role_get_hoist (dgateway_cache_lookup_role (cf->cache, "1100000000000000503")));

  dispatch (cf, "GUILD_ROLE_DELETE", "{'guild_id':'" GUILD "','role_id':'" BLUE "'}");
  g_assert_cmpstr (changes_take (roles), ==, "4-1+0");
  g_assert_null (dgateway_cache_lookup_role (cf->cache, BLUE));
  g_assert_null (dgateway_cached_role_get_guild (blue));
  g_assert_cmpuint (dgateway_cached_member_get_color (alice), ==, 0xff0000);
}

static void
test_member_events (CacheFixture  *cf,
                    gconstpointer  data)
{
  DGatewayCachedGuild *guild = connect_with_guild (cf);
  DGatewayCachedMember *bob = dgateway_cache_lookup_member (cf->cache, GUILD, BOB);
  DGatewayCachedUser *bob_user = dgateway_cached_member_get_user (bob);
  DGatewayCachedUser *carol;
  g_autoptr(Changes) members = changes_new (dgateway_cached_guild_get_members (guild));
  g_autoptr(Notifies) member_notifies = notifies_new (bob);
  g_autoptr(Notifies) guild_notifies = notifies_new (guild);
  g_autoptr(Notifies) user_notifies = notifies_new (bob_user);
  const char *carol_add = "{'guild_id':'" GUILD "','user':" USER (CAROL, "carol", "null") ",'roles':[],"
                          "'joined_at':'2024-01-01T00:00:00.000000+00:00'}";

  /* Joins count once, even when the event comes twice. */
  dispatch (cf, "GUILD_MEMBER_ADD", carol_add);
  dispatch (cf, "GUILD_MEMBER_ADD", carol_add);
  g_assert_cmpstr (changes_take (members), ==, "2-0+1");
  g_assert_cmpint (dgateway_cached_guild_get_member_count (guild), ==, 3);
  g_assert_cmpstr (notifies_take (guild_notifies), ==, "member-count");
  carol = dgateway_cache_lookup_user (cf->cache, CAROL);
  g_assert_nonnull (carol);

  /* A nickname goes; the user's global name comes. */
  dispatch (cf, "GUILD_MEMBER_UPDATE", "{'guild_id':'" GUILD "','user':" USER (BOB, "bob", "'Robert'") ","
                "'nick':null,'roles':['" RED "']}");
  g_assert_true (dgateway_cache_lookup_member (cf->cache, GUILD, BOB) == bob);
  g_assert_cmpstr (notifies_take (member_notifies), ==, "nick role-ids");
  g_assert_cmpstr (notifies_take (user_notifies), ==, "display-name global-name");
  g_assert_cmpstr (dgateway_cached_member_get_display_name (bob), ==, "Robert");
  g_assert_cmpuint (dgateway_cached_member_get_color (bob), ==, 0xff0000);
  g_assert_cmpstr (changes_take (members), ==, "");

  /* A chunk: known members merge, new ones are added. */
  dispatch (cf, "GUILD_MEMBERS_CHUNK", "{'guild_id':'" GUILD "','chunk_index':0,'chunk_count':1,"
                "'members':[{'user':" USER (BOB, "bob", "'Robert'") ",'nick':'B','roles':['" RED "']},"
                "{'user':" USER ("1100000000000000603", "dave", "null") ",'nick':null,'roles':[]}],"
                "'presences':[{'user':{'id':'1100000000000000603'},'status':'dnd'}]}");
  g_assert_cmpstr (notifies_take (member_notifies), ==, "nick");
  g_assert_cmpstr (changes_take (members), ==, "3-0+1");
  g_assert_cmpint (dgateway_cached_member_get_status (dgateway_cache_lookup_member (cf->cache, GUILD, "1100000000000000603")),
                   ==, DGATEWAY_STATUS_DND);

  /* Leaving: out of the model, and the user with nobody else to hold it. */
  g_object_add_weak_pointer (G_OBJECT (carol), (gpointer *) &carol);
  dispatch (cf, "GUILD_MEMBER_REMOVE", "{'guild_id':'" GUILD "','user':" USER (CAROL, "carol", "null") "}");
  dispatch (cf, "GUILD_MEMBER_REMOVE", "{'guild_id':'" GUILD "','user':" USER (CAROL, "carol", "null") "}");
  g_assert_cmpstr (changes_take (members), ==, "2-1+0");
  g_assert_null (dgateway_cache_lookup_member (cf->cache, GUILD, CAROL));
  g_assert_null (dgateway_cache_lookup_user (cf->cache, CAROL));
  g_assert_null (carol);
  g_assert_cmpint (dgateway_cached_guild_get_member_count (guild), ==, 2);
}

static void
test_shared_users (CacheFixture  *cf,
                   gconstpointer  data)
{
  DGatewayCachedGuild *guild = connect_with_guild (cf);
  DGatewayCachedGuild *other;
  DGatewayCachedMember *in_other;

  dispatch (cf, "GUILD_CREATE", "{'id':'" GUILD_A "','name':'Other','channels':[],'roles':[],"
                "'members':[{'user':" USER (ALICE, "alice", "'Alice A'") ",'nick':'Al','roles':[]}]}");
  other = dgateway_cache_lookup_guild (cf->cache, GUILD_A);
  in_other = g_object_ref (dgateway_cached_guild_lookup_member (other, ALICE));

  /* One user object for both guilds' members; a nick per guild. */
  g_assert_true (dgateway_cached_member_get_user (in_other) ==
                 dgateway_cached_member_get_user (dgateway_cached_guild_lookup_member (guild, ALICE)));
  g_assert_cmpstr (dgateway_cached_member_get_display_name (in_other), ==, "Al");
  g_assert_cmpstr (dgateway_cached_member_get_display_name (dgateway_cached_guild_lookup_member (guild, ALICE)),
                   ==, "Alice A");

  /* Leaving one guild keeps the user for the other. */
  dispatch (cf, "GUILD_DELETE", "{'id':'" GUILD_A "'}");
  g_assert_null (dgateway_cache_lookup_guild (cf->cache, GUILD_A));
  g_assert_null (dgateway_cached_member_get_guild (in_other));
  g_assert_nonnull (dgateway_cache_lookup_user (cf->cache, ALICE));
  assert_names (dgateway_cache_get_guilds (cf->cache), "Test guild");
  g_object_unref (in_other);
}

static void
test_partial_merges (CacheFixture  *cf,
                     gconstpointer  data)
{
  DGatewayCachedMember *alice;
  DGatewayCachedUser *user;
  g_autoptr(Notifies) member_notifies = NULL;
  g_autoptr(Notifies) user_notifies = NULL;

  connect_with_guild (cf);
  alice = dgateway_cache_lookup_member (cf->cache, GUILD, ALICE);
  user = dgateway_cached_member_get_user (alice);
  member_notifies = notifies_new (alice);
  user_notifies = notifies_new (user);
  dispatch (cf, "USER_UPDATE", "{'id':'" ALICE "','username':'evil'}");
  g_assert_cmpstr (notifies_take (user_notifies), ==, "");

  /* A presence with only the user's id changes the status alone. */
  dispatch (cf, "PRESENCE_UPDATE", "{'guild_id':'" GUILD "','user':{'id':'" ALICE "'},'status':'idle',"
                "'activities':[],'client_status':{'desktop':'idle'}}");
  g_assert_cmpstr (notifies_take (member_notifies), ==, "status");
  g_assert_cmpstr (notifies_take (user_notifies), ==, "");
  g_assert_cmpstr (dgateway_cached_user_get_username (user), ==, "alice");
  g_assert_cmpstr (dgateway_cached_user_get_global_name (user), ==, "Alice A");

  /* One that carries an avatar changes it, and nothing else. */
  dispatch (cf, "PRESENCE_UPDATE", "{'guild_id':'" GUILD "','user':{'id':'" ALICE "','avatar':'abc'},"
                "'status':'idle'}");
  g_assert_cmpstr (notifies_take (user_notifies), ==, "avatar");
  g_assert_cmpstr (notifies_take (member_notifies), ==, "");

  /* A message's member has no user (the author is), and no avatar key:
   * the nick is merged, the rest kept. */
  dispatch (cf, "MESSAGE_CREATE", "{'id':'1100000000000000800','channel_id':'" GENERAL "','guild_id':'" GUILD "',"
                "'author':{'id':'" ALICE "','username':'alice','global_name':'Alice B'},"
                "'member':{'nick':'Ally','roles':['" BLUE "','" RED "','" PLAIN "']},'content':'hi','type':0}");
  g_assert_cmpstr (notifies_take (member_notifies), ==, "nick");
  g_assert_cmpstr (notifies_take (user_notifies), ==, "display-name global-name");
  g_assert_cmpstr (dgateway_cached_user_get_avatar (user), ==, "abc");

  /* An author who is not cached yet becomes a member. */
  dispatch (cf, "MESSAGE_CREATE", "{'id':'1100000000000000801','channel_id':'" GENERAL "','guild_id':'" GUILD "',"
                "'author':" USER (CAROL, "carol", "null") ",'member':{'nick':null,'roles':[]},'content':'yo','type':0}");
  g_assert_cmpstr (dgateway_cached_member_get_display_name (dgateway_cache_lookup_member (cf->cache, GUILD, CAROL)),
                   ==, "carol");
}

#define CREATE "{'id':'%u','channel_id':'" GENERAL "','guild_id':'" GUILD "'," \
               "'author':" USER (BOB, "bob", "null") ",'content':'%s <@" ALICE ">','type':0}"

static void
test_messages (CacheFixture  *cf,
               gconstpointer  data)
{
  DGatewayCachedChannel *general;
  DGatewayCachedMessage *message;
  GListModel *messages;
  g_autoptr(Changes) changes = NULL;
  g_autoptr(Notifies) notifies = NULL;
  DGatewayEvent *event;
  DGatewayMessage *typed;
  g_autofree char *rendered = NULL;

  dgateway_cache_set_max_messages (cf->cache, 2);
  /* The typed message of an event is read after its emission. */
  cf->f.keep_events = TRUE;
  connect_with_guild (cf);
  general = dgateway_cache_lookup_channel (cf->cache, GENERAL);
  dispatchf (cf, "MESSAGE_CREATE", CREATE, 1, "one");
  messages = dgateway_cached_channel_get_messages (general);
  g_assert_nonnull (messages);
  changes = changes_new (messages);

  /* A third message pushes the first out; a repeat is ignored. */
  dispatchf (cf, "MESSAGE_CREATE", CREATE, 2, "two");
  dispatchf (cf, "MESSAGE_CREATE", CREATE, 3, "three");
  dispatchf (cf, "MESSAGE_CREATE", CREATE, 3, "three");
  g_assert_cmpstr (changes_take (changes), ==, "1-0+1 2-0+1 0-1+0");
  assert_names (messages, "two <@" ALICE ">,three <@" ALICE ">");

  /* The notifier's helpers, from the typed message of the last event. */
  event = cf->f.events->pdata[cf->f.events->len - 1];
  typed = DGATEWAY_MESSAGE (dgateway_event_get_object (event));
  g_assert_true (dgateway_cache_lookup_message_channel (cf->cache, typed) == general);
  g_assert_true (dgateway_cache_lookup_message_guild (cf->cache, typed) ==
                 dgateway_cache_lookup_guild (cf->cache, GUILD));
  rendered = dgateway_cache_render_message (cf->cache, typed);
  g_assert_cmpstr (rendered, ==, "three @Alice A");

  message = g_list_model_get_item (messages, 1);
  g_object_unref (message);
  g_assert_true (dgateway_cached_message_get_author (message) == dgateway_cache_lookup_user (cf->cache, BOB));
  notifies = notifies_new (message);
  dispatch (cf, "MESSAGE_UPDATE", "{'id':'3','channel_id':'" GENERAL "','guild_id':'" GUILD "','content':'edited'}");
  g_assert_cmpstr (notifies_take (notifies), ==, "content edited");
  g_assert_true (dgateway_cached_message_get_edited (message));
  dispatch (cf, "MESSAGE_UPDATE", "{'id':'3','channel_id':'" GENERAL "','guild_id':'" GUILD "','embeds':[]}");
  g_assert_cmpstr (notifies_take (notifies), ==, "");

  dispatch (cf, "MESSAGE_DELETE", "{'id':'3','channel_id':'" GENERAL "','guild_id':'" GUILD "'}");
  g_assert_cmpstr (changes_take (changes), ==, "1-1+0");
  g_assert_null (dgateway_cached_message_get_channel (message));
  g_assert_cmpstr (notifies_take (notifies), ==, "channel");
  dispatchf (cf, "MESSAGE_CREATE", CREATE, 4, "four");
  dispatch (cf, "MESSAGE_DELETE_BULK", "{'ids':['2','4'],'channel_id':'" GENERAL "','guild_id':'" GUILD "'}");
  g_assert_cmpstr (changes_take (changes), ==, "1-0+1 0-1+0 0-1+0");
  g_assert_cmpuint (g_list_model_get_n_items (messages), ==, 0);

  /* 0 keeps none. */
  dgateway_cache_set_max_messages (cf->cache, 0);
  dispatchf (cf, "MESSAGE_CREATE", CREATE, 5, "five");
  g_assert_cmpuint (g_list_model_get_n_items (messages), ==, 0);
}

static void
test_emojis_voice_and_user (CacheFixture  *cf,
                            gconstpointer  data)
{
  DGatewayCachedGuild *guild = connect_with_guild (cf);
  GListModel *emojis = dgateway_cached_guild_get_emojis (guild);
  g_autoptr(GObject) blob = g_list_model_get_item (emojis, 0);
  g_autoptr(Changes) changes = changes_new (emojis);
  g_autoptr(Notifies) blob_notifies = notifies_new (blob);
  g_autoptr(Notifies) me_notifies = notifies_new (dgateway_cache_get_current_user (cf->cache));
  g_autofree char *voice = NULL;

  /* Emojis stay before stickers; a renamed one is the same object. */
  dispatch (cf, "GUILD_EMOJIS_UPDATE", "{'guild_id':'" GUILD "','emojis':[{'id':'900','name':'blob2',"
                "'animated':true},{'id':'902','name':'new'}]}");
  g_assert_cmpstr (notifies_take (blob_notifies), ==, "name");
  g_assert_cmpstr (changes_take (changes), ==, "1-0+1");
  assert_names (emojis, "blob2,new,wave");
  g_assert_true (dgateway_cached_emoji_get_animated (DGATEWAY_CACHED_EMOJI (blob)));
  dispatch (cf, "GUILD_STICKERS_UPDATE", "{'guild_id':'" GUILD "','stickers':[]}");
  g_assert_cmpstr (changes_take (changes), ==, "2-1+0");
  assert_names (emojis, "blob2,new");

  /* Bob moves to another channel, then hangs up. */
  dispatch (cf, "VOICE_STATE_UPDATE", "{'guild_id':'" GUILD "','channel_id':'" LOBBY "','user_id':'" BOB "',"
                "'session_id':'s','deaf':false,'mute':false,'self_deaf':false,'self_mute':false,"
                "'self_video':false,'suppress':false,'request_to_speak_timestamp':null}");
  voice = dgateway_cached_guild_dup_voice_channel_id (guild, BOB);
  g_assert_cmpstr (voice, ==, LOBBY);
  dispatch (cf, "VOICE_STATE_UPDATE", "{'guild_id':'" GUILD "','channel_id':null,'user_id':'" BOB "',"
                "'session_id':'s'}");
  g_assert_null (dgateway_cached_guild_dup_voice_channel_id (guild, BOB));

  /* The bot's own user changes. */
  dispatch (cf, "USER_UPDATE", "{'id':'" DGATEWAY_MOCK_GATEWAY_BOT_ID "','username':'renamed','global_name':null}");
  g_assert_cmpstr (notifies_take (me_notifies), ==, "display-name username");
  g_assert_cmpstr (dgateway_cached_user_get_display_name (dgateway_cache_get_current_user (cf->cache)),
                   ==, "renamed");
}

static void
test_guild_delete (CacheFixture  *cf,
                   gconstpointer  data)
{
  DGatewayCachedGuild *guild = connect_with_guild (cf);
  g_autoptr(Changes) guilds = changes_new (dgateway_cache_get_guilds (cf->cache));
  g_autoptr(Changes) channels = changes_new (dgateway_cached_guild_get_channels (guild));
  g_autoptr(Notifies) notifies = notifies_new (guild);

  /* An outage keeps everything, marked. */
  dispatch (cf, "GUILD_DELETE", "{'id':'" GUILD "','unavailable':true}");
  g_assert_cmpstr (notifies_take (notifies), ==, "unavailable");
  g_assert_cmpstr (changes_take (guilds), ==, "");
  g_assert_true (dgateway_cached_guild_get_unavailable (guild));
  g_assert_nonnull (dgateway_cache_lookup_channel (cf->cache, GENERAL));

  dispatch (cf, "GUILD_CREATE", guild_create);
  g_assert_cmpstr (notifies_take (notifies), ==, "unavailable");
  g_assert_cmpstr (changes_take (channels), ==, "");

  /* Leaving removes it and all it held. */
  g_object_ref (guild);
  dispatch (cf, "GUILD_DELETE", "{'id':'" GUILD "'}");
  g_assert_cmpstr (changes_take (guilds), ==, "0-1+0");
  g_assert_null (dgateway_cache_lookup_guild (cf->cache, GUILD));
  g_assert_null (dgateway_cache_lookup_channel (cf->cache, GENERAL));
  g_assert_null (dgateway_cache_lookup_role (cf->cache, RED));
  g_assert_null (dgateway_cache_lookup_user (cf->cache, ALICE));
  g_assert_cmpuint (g_list_model_get_n_items (dgateway_cached_guild_get_channels (guild)), ==, 0);
  g_assert_cmpuint (g_list_model_get_n_items (dgateway_cached_guild_get_members (guild)), ==, 0);
  g_object_unref (guild);
}

/* A new session (after op 9 false) lists the guilds it has: the others of
 * the shard are stale and go; those it lists stay the same objects. */
static void
test_new_session (CacheFixture  *cf,
                  gconstpointer  data)
{
  DGatewayCachedGuild *guild = connect_with_guild (cf);
  g_autoptr(Changes) guilds = NULL;

  dispatch (cf, "GUILD_CREATE", "{'id':'" GUILD_A "','name':'Gone','channels':[],'roles':[]}");
  guilds = changes_new (dgateway_cache_get_guilds (cf->cache));
  dgateway_mock_gateway_send_op (cf->f.mock, 9, "false");
  WAIT_UNTIL (cf->f.reconnected == 1, 3000);
  WAIT_UNTIL (count_events (&cf->f, "READY") == 2, 3000);

  g_assert_cmpstr (changes_take (guilds), ==, "1-1+0");
  g_assert_null (dgateway_cache_lookup_guild (cf->cache, GUILD_A));
  g_assert_true (dgateway_cache_lookup_guild (cf->cache, GUILD) == guild);
  assert_names (dgateway_cached_guild_get_channels (guild), "general,lobby,Voice,random,Text");

  dispatch (cf, "GUILD_CREATE", guild_create);
  g_assert_false (dgateway_cached_guild_get_unavailable (guild));
  g_assert_cmpstr (changes_take (guilds), ==, "");
}

/* A resume replays what was missed; the client delivers each sequence
 * once, and the cache gives the same state if an event comes twice. */
static void
test_resume_replay (CacheFixture  *cf,
                    gconstpointer  data)
{
  DGatewayCachedGuild *guild = connect_with_guild (cf);
  g_autoptr(Changes) members = changes_new (dgateway_cached_guild_get_members (guild));
  const char *add = "{'guild_id':'" GUILD "','user':" USER (CAROL, "carol", "null") ",'roles':[]}";
  g_autofree char *text = g_strdelimit (g_strdup (add), "'", '"');
  gint64 seq;

  dgateway_mock_gateway_drop (cf->f.mock);
  WAIT_UNTIL (cf->f.errors->len == 1, 2000);
  /* Queued while the client is away, replayed on RESUME. */
  seq = dgateway_mock_gateway_send_dispatch (cf->f.mock, "GUILD_MEMBER_ADD", text);
  WAIT_UNTIL (cf->f.resumed == 1 && last_sequence (cf) >= seq, 3000);
  g_assert_cmpstr (changes_take (members), ==, "2-0+1");
  g_assert_cmpint (dgateway_cached_guild_get_member_count (guild), ==, 3);

  /* The same event again, under a new sequence. */
  dispatch (cf, "GUILD_MEMBER_ADD", add);
  g_assert_cmpstr (changes_take (members), ==, "");
  g_assert_cmpint (dgateway_cached_guild_get_member_count (guild), ==, 3);
}

static void
test_flags (void)
{
  g_autoptr(DGatewayClient) client = dgateway_client_new (TEST_TOKEN, INTENTS);
  guint dispatch_id = g_signal_lookup ("dispatch", DGATEWAY_TYPE_CLIENT);
  DGatewayCache *cache = dgateway_cache_new (client, DGATEWAY_CACHE_GUILDS);
  DGatewayCache *messages;

  /* A cache of guilds asks for the events of guilds, and no others. */
  g_assert_cmpint (dgateway_cache_get_flags (cache), ==, DGATEWAY_CACHE_GUILDS);
  g_assert_true (g_signal_has_handler_pending (client, dispatch_id, g_quark_from_string ("GUILD_CREATE"), FALSE));
  g_assert_false (g_signal_has_handler_pending (client, dispatch_id, g_quark_from_string ("MESSAGE_CREATE"), FALSE));
  g_assert_false (g_signal_has_handler_pending (client, dispatch_id, g_quark_from_string ("PRESENCE_UPDATE"), FALSE));
  g_assert_false (g_signal_has_handler_pending (client, dispatch_id, g_quark_from_string ("TYPING_START"), FALSE));
  g_assert_finalize_object (cache);
  g_assert_false (g_signal_has_handler_pending (client, dispatch_id, g_quark_from_string ("GUILD_CREATE"), FALSE));

  /* Messages imply channels, users and guilds. */
  messages = dgateway_cache_new (client, DGATEWAY_CACHE_MESSAGES);
  g_assert_cmpint (dgateway_cache_get_flags (messages), ==,
                   DGATEWAY_CACHE_MESSAGES | DGATEWAY_CACHE_CHANNELS | DGATEWAY_CACHE_USERS |
                   DGATEWAY_CACHE_GUILDS);
  g_assert_cmpuint (dgateway_cache_get_max_messages (messages), ==, 10);
  g_assert_true (g_signal_has_handler_pending (client, dispatch_id, g_quark_from_string ("MESSAGE_CREATE"), FALSE));
  g_assert_false (g_signal_has_handler_pending (client, dispatch_id, g_quark_from_string ("PRESENCE_UPDATE"), FALSE));
  g_assert_finalize_object (messages);
}

/* Only what is asked for is kept. */
static void
test_guilds_only (CacheFixture  *cf,
                  gconstpointer  data)
{
  DGatewayCachedGuild *guild;

  g_assert_finalize_object (cf->cache);
  cf->cache = dgateway_cache_new (cf->f.client, DGATEWAY_CACHE_GUILDS | DGATEWAY_CACHE_USERS);
  guild = connect_with_guild (cf);
  g_assert_cmpstr (dgateway_cached_guild_get_name (guild), ==, "Test guild");
  g_assert_cmpuint (g_list_model_get_n_items (dgateway_cached_guild_get_channels (guild)), ==, 0);
  g_assert_cmpuint (g_list_model_get_n_items (dgateway_cached_guild_get_members (guild)), ==, 0);
  g_assert_cmpuint (g_list_model_get_n_items (dgateway_cached_guild_get_roles (guild)), ==, 0);
  g_assert_null (dgateway_cache_lookup_user (cf->cache, ALICE));
  g_assert_cmpstr (dgateway_cached_user_get_username (dgateway_cache_get_current_user (cf->cache)),
                   ==, "mockbot");

  /* Without a member cache, joins and leaves still count, and leave no
   * user behind that nothing holds. */
  dispatch (cf, "GUILD_MEMBER_ADD", "{'guild_id':'" GUILD "','user':" USER (CAROL, "carol", "null") ",'roles':[]}");
  g_assert_cmpint (dgateway_cached_guild_get_member_count (guild), ==, 3);
  g_assert_null (dgateway_cache_lookup_user (cf->cache, CAROL));
}

/* Re-sharding: each new shard's READY drops what is no longer its own. */
static void
test_reshard (CacheFixture  *cf,
              gconstpointer  data)
{
  g_autofree char *body = NULL;
  DGatewayCachedGuild *guild;

  body = g_strdup_printf ("{\"url\":\"%s\",\"shards\":1,\"session_start_limit\":"
                          "{\"total\":1000,\"remaining\":999,\"reset_after\":0,\"max_concurrency\":1}}",
                          dgateway_mock_gateway_get_url (cf->f.mock));
  dgateway_mock_gateway_set_gateway_bot_response (cf->f.mock, 200, body);
  dgateway_client_set_gateway_url (cf->f.client, NULL);
  dgateway_client_set_api_url (cf->f.client, dgateway_mock_gateway_get_api_url (cf->f.mock));
  dgateway_mock_gateway_set_recommended_shards (cf->f.mock, 1);
  guild = connect_with_guild (cf);
  dispatch (cf, "GUILD_CREATE", "{'id':'" GUILD_A "','name':'A','channels':[],'roles':[]}");
  dispatch (cf, "GUILD_CREATE", "{'id':'" GUILD_B "','name':'B','channels':[],'roles':[]}");
  assert_names (dgateway_cache_get_guilds (cf->cache), "Test guild,A,B");

  dgateway_mock_gateway_set_gateway_bot_response (cf->f.mock, 0, NULL);
  dgateway_mock_gateway_set_recommended_shards (cf->f.mock, 2);
  dgateway_mock_gateway_close (cf->f.mock, 4011, NULL);
  WAIT_UNTIL (g_list_model_get_n_items (dgateway_client_get_shards (cf->f.client)) == 2 &&
              count_events (&cf->f, "READY") == 3, 5000);

  /* Neither A (shard 0 now) nor B (shard 1) was re-announced. */
  assert_names (dgateway_cache_get_guilds (cf->cache), "Test guild");
  g_assert_true (dgateway_cache_lookup_guild (cf->cache, GUILD) == guild);
  g_assert_cmpuint (dgateway_cached_guild_get_shard_id (guild), ==,
                    (g_ascii_strtoull (GUILD, NULL, 10) >> 22) % 2);
}

int
main (int    argc,
      char **argv)
{
  test_init (&argc, &argv);

#define ADD(path, func) \
  g_test_add (path, CacheFixture, NULL, cache_setup, func, cache_teardown)
  ADD ("/dgateway/cache/ready-then-guild-create", test_ready_then_guild_create);
  ADD ("/dgateway/cache/lookups", test_lookups_and_helpers);
  ADD ("/dgateway/cache/channels", test_channel_events);
  ADD ("/dgateway/cache/threads", test_thread_events);
  ADD ("/dgateway/cache/roles", test_role_events);
  ADD ("/dgateway/cache/members", test_member_events);
  ADD ("/dgateway/cache/shared-users", test_shared_users);
  ADD ("/dgateway/cache/partial-merges", test_partial_merges);
  ADD ("/dgateway/cache/messages", test_messages);
  ADD ("/dgateway/cache/emojis-voice-user", test_emojis_voice_and_user);
  ADD ("/dgateway/cache/guild-delete", test_guild_delete);
  ADD ("/dgateway/cache/new-session", test_new_session);
  ADD ("/dgateway/cache/resume-replay", test_resume_replay);
  ADD ("/dgateway/cache/guilds-only", test_guilds_only);
  ADD ("/dgateway/cache/reshard", test_reshard);
  g_test_add_func ("/dgateway/cache/flags", test_flags);
#undef ADD

  return g_test_run ();
}
