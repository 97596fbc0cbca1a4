/* SPDX-License-Identifier: LGPL-2.1-or-later */

#include "config.h"

#include "dgateway-object-private.h"

/**
 * DGatewayObjectList:
 *
 * A JSON array of objects in a payload, as a [iface@Gio.ListModel] of
 * typed views.
 *
 * Getters such as [method@Guild.get_channels] return one. Its
 * [property@ObjectList:item-type] is the class of the elements (here
 * [class@Channel]); a view is built for an element the first time it is
 * asked for, and kept, so a guild of thousands of members costs nothing
 * until they are read. Like every view, the list does not copy the payload,
 * and shares its lifetime (see [class@Object]): after the emission, unless
 * the payload was kept, it keeps its length but its items read as
 * defaults.
 *
 * ```js
 * client.connect('guild-create', (_client, guild) => {
 *     const channels = guild.channels;
 *     for (let i = 0; i < channels.get_n_items(); i++)
 *         print(channels.get_item(i).name);
 * });
 * ```
 */

struct _DGatewayObjectList
{
  GObject parent_instance;

  DGatewayPayload *payload;
  const DGatewayValue *array;
  GType item_type;
  guint n_items;
  DGatewayObject **items;    /* built on demand, n_items long */
};

enum {
  PROP_0,
  PROP_ITEM_TYPE,
  PROP_N_ITEMS,
  N_PROPS
};

static GParamSpec *props[N_PROPS];

static void list_model_iface_init (GListModelInterface *iface);

G_DEFINE_FINAL_TYPE_WITH_CODE (DGatewayObjectList, dgateway_object_list, G_TYPE_OBJECT,
                               G_IMPLEMENT_INTERFACE (G_TYPE_LIST_MODEL, list_model_iface_init))

static GType
dgateway_object_list_get_item_type (GListModel *model)
{
  return DGATEWAY_OBJECT_LIST (model)->item_type;
}

static guint
dgateway_object_list_get_n_items (GListModel *model)
{
  return DGATEWAY_OBJECT_LIST (model)->n_items;
}

/* Every element gets a view, even one that is not a JSON object: a list
 * model has no holes, and the view reads as defaults. So does every
 * element once the payload is released: the list keeps its length, as a
 * list model must without items-changed, and its array is gone. */
static gpointer
dgateway_object_list_get_item (GListModel *model,
                               guint       position)
{
  DGatewayObjectList *self = DGATEWAY_OBJECT_LIST (model);
  const DGatewayValue *element = NULL;

  if (position >= self->n_items)
    return NULL;

  if (self->items == NULL)
    self->items = g_new0 (DGatewayObject *, self->n_items);

  if (self->items[position] == NULL)
    {
      if (self->payload == NULL ||
          !dgateway_payload_check_released (self->payload, G_OBJECT_TYPE_NAME (self)))
        element = dgateway_value_get_element (self->array, position);
      self->items[position] = dgateway_object_new_view (self->item_type, self->payload, element);
    }

  return g_object_ref (self->items[position]);
}

static void
list_model_iface_init (GListModelInterface *iface)
{
  iface->get_item_type = dgateway_object_list_get_item_type;
  iface->get_n_items = dgateway_object_list_get_n_items;
  iface->get_item = dgateway_object_list_get_item;
}

static void
dgateway_object_list_finalize (GObject *object)
{
  DGatewayObjectList *self = DGATEWAY_OBJECT_LIST (object);

  if (self->items != NULL)
    for (guint i = 0; i < self->n_items; i++)
      g_clear_object (&self->items[i]);
  g_free (self->items);
  g_clear_pointer (&self->payload, dgateway_payload_unref);

  G_OBJECT_CLASS (dgateway_object_list_parent_class)->finalize (object);
}

static void
dgateway_object_list_get_property (GObject    *object,
                                   guint       prop_id,
                                   GValue     *value,
                                   GParamSpec *pspec)
{
  DGatewayObjectList *self = DGATEWAY_OBJECT_LIST (object);

  switch (prop_id)
    {
    case PROP_ITEM_TYPE:
      g_value_set_gtype (value, self->item_type);
      break;
    case PROP_N_ITEMS:
      g_value_set_uint (value, self->n_items);
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
dgateway_object_list_class_init (DGatewayObjectListClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);

  object_class->finalize = dgateway_object_list_finalize;
  object_class->get_property = dgateway_object_list_get_property;

  /**
   * DGatewayObjectList:item-type:
   *
   * The class of the elements, a subclass of [class@Object].
   */
  props[PROP_ITEM_TYPE] =
    g_param_spec_gtype ("item-type", NULL, NULL, DGATEWAY_TYPE_OBJECT,
                        G_PARAM_READABLE | G_PARAM_STATIC_STRINGS);

  /**
   * DGatewayObjectList:n-items:
   *
   * The number of elements.
   */
  props[PROP_N_ITEMS] =
    g_param_spec_uint ("n-items", NULL, NULL, 0, G_MAXUINT, 0,
                       G_PARAM_READABLE | G_PARAM_STATIC_STRINGS);

  g_object_class_install_properties (object_class, N_PROPS, props);
}

static void
dgateway_object_list_init (DGatewayObjectList *self)
{
  self->item_type = DGATEWAY_TYPE_OBJECT;
}

GListModel *
dgateway_object_list_new (GType                item_type,
                          DGatewayPayload     *payload,
                          const DGatewayValue *array)
{
  DGatewayObjectList *self;

  g_assert (g_type_is_a (item_type, DGATEWAY_TYPE_OBJECT));

  self = g_object_new (DGATEWAY_TYPE_OBJECT_LIST, NULL);
  self->payload = payload ? dgateway_payload_ref (payload) : NULL;
  self->array = array;
  self->item_type = item_type;
  self->n_items = dgateway_value_get_length (array);
  return G_LIST_MODEL (self);
}
