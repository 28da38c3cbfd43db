"""The GDPR example's world: fake systems of record and the staging area for exports."""
