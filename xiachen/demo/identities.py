"""Synthetic people's identities: names, birth dates, valid and unique ID numbers, mobile numbers."""

import itertools
import random
import uuid
from datetime import date, timedelta

from faker import Faker

from xiachen.core.idnumbers import make_id_number

from .places import MOBILE_PREFIXES, REGION_CODES

# Sequence codes start at 010: real ones never use 000, and the last digit carries the sex.
FIRST_SEQUENCE = 10
SEQUENCES_PER_SEX = (999 - FIRST_SEQUENCE) // 2


class IdentityAllocator:
    """Hands out ID numbers unique per (region, birth date, sex), as the unique blind index requires."""

    def __init__(self) -> None:
        self._issued: dict[int, int] = {}

    def allocate(self, region_index: int, birth: date, male: bool) -> str:
        """A valid number for a person born on `birth`, in `region_index`'s district if it has room."""
        for offset in range(len(REGION_CODES)):
            index = (region_index + offset) % len(REGION_CODES)
            key = (index * 1_000_000 + birth.toordinal()) * 2 + male
            count = self._issued.get(key, 0)
            if count < SEQUENCES_PER_SEX:
                self._issued[key] = count + 1
                sequence = FIRST_SEQUENCE + count * 2 + (1 if male else 0)
                return make_id_number(REGION_CODES[index], birth, sequence)
        raise ValueError(f"no ID numbers left for {birth}")


class People:
    """Seeded source of names, birth dates, ID numbers, phones and public ids."""

    def __init__(self, rng: random.Random, fake: Faker, anchor: date) -> None:
        self.rng, self.anchor = rng, anchor
        person = fake.provider("faker.providers.person")
        self._surnames = list(person.last_names)
        self._surname_weights = list(itertools.accumulate(person.last_names.values()))
        self._male_given = list(person.first_names_male)
        self._female_given = list(person.first_names_female)
        self.identities = IdentityAllocator()

    def surname(self) -> str:
        return self.rng.choices(self._surnames, cum_weights=self._surname_weights)[0]

    def name(self, male: bool, surname: str = "") -> str:
        """A plausible full name; a third of given names have two characters."""
        pool = self._male_given if male else self._female_given
        given = self.rng.choice(pool)
        if len(given) == 1 and self.rng.random() < 0.35:
            given += self.rng.choice(pool)[0]
        return (surname or self.surname()) + given

    def birth_date(self, age: int) -> date:
        """A birth date that makes the person exactly `age` years old on the anchor date."""
        return self.anchor - timedelta(days=int(age * 365.25) + self.rng.randrange(1, 365))

    def id_number(self, region_index: int, birth: date, male: bool) -> str:
        return self.identities.allocate(region_index, birth, male)

    def mobile(self) -> str:
        return f"{self.rng.choice(MOBILE_PREFIXES)}{self.rng.randrange(100_000_000):08d}"

    def public_id(self) -> uuid.UUID:
        """A seeded UUID, so that the same seed gives the same public ids too."""
        return uuid.UUID(int=self.rng.getrandbits(128), version=4)
