"""IAM in the local world: the policy evaluator (policy), what a request asks for (requests),
the roles of the synthesized templates (roles, named), AWS's refusals (errors) and the
loopback gate in front of moto server and the SMS API emulator (gate, stack)."""
