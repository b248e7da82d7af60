/**
  * -------------------------------------------------------
  * Section - Who assigns a business's WhatsApp number
  * -------------------------------------------------------
  * users.whatsapp_number routes every inbound message: Twilio's To number
  * finds the business that receives it. An owner who could set it could
  * claim a number that is not theirs (any number no business holds yet) and
  * read the messages its customers send. So the number is assigned by the
  * operator who connects the Twilio sender, with the service role or SQL,
  * and owners only read it.
 */
revoke update (whatsapp_number) on table public.users from authenticated;
