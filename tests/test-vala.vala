/* SPDX-License-Identifier: LGPL-2.1-or-later */

/* Compiled (to C only) against the generated libdgateway-1.vapi: the Vala
 * bindings exist and read as Vala programmers expect. */

async void request_members (DGateway.Client client) throws Error {
  string[] not_found;
  var members = yield client.request_guild_members_async ("1", "", null, 0, 0, null, out not_found);
  for (uint i = 0; i < members.get_n_items (); i++) {
    var member = (DGateway.GuildMember) members.get_item (i);
    print ("%s\n", member.user.id);
  }
}

int main () {
  var client = new DGateway.Client ("token", DGateway.Intents.GUILDS);
  var presence = new DGateway.Presence (DGateway.Status.IDLE);

  presence.add_activity (DGateway.ActivityType.WATCHING, "the build", null, null);
  client.presence = presence;
  client.notify["last-error"].connect (() => {
    if (client.last_error != null)
      print ("%s\n", client.last_error.message);
  });
  client.dispatch["MESSAGE_CREATE"].connect ((event) => false);
  request_members.begin (client);
  return 0;
}
